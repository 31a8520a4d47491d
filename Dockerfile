# caseconf's container image. Build it with scripts/image, which makes the
# static binary (scripts/release) and copies the host's CA certificates
# into dist/ first: the image is FROM scratch, so nothing is pulled.
#
#   docker/podman run --env-file caseconf.env caseconf            # serve
#   docker/podman run --env-file caseconf.env caseconf migrate    # apply migrations
#
# See docs/operations.md.
FROM scratch
ARG TARGETOS=linux
ARG TARGETARCH=amd64
COPY packaging/image/passwd packaging/image/group /etc/
COPY dist/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY dist/caseconf-${TARGETOS}-${TARGETARCH} /caseconf
# Not root: the caseconf user of packaging/image/passwd.
USER 65532:65532
ENV HTTP_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/caseconf", "healthcheck"]
ENTRYPOINT ["/caseconf"]
CMD ["serve"]
