// Package pgproxy is a TCP proxy for tests that stands between caseconf and
// PostgreSQL and can be made to hang: keep accepting connections and holding
// them open while forwarding nothing, the way a network partition or a stuck
// failover looks to a client.
package pgproxy

import (
	"errors"
	"net"
	"sync"
)

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	hung   bool
	down   bool
	closed bool
	pairs  map[*pair]bool
	held   map[net.Conn]bool // accepted while hung; never forwarded
	wg     sync.WaitGroup
}

// pair is one forwarded connection.
type pair struct {
	client, server net.Conn
	frozen         chan struct{} // closed when the proxy hangs
	freezeOnce     sync.Once
}

func (p *pair) freeze() { p.freezeOnce.Do(func() { close(p.frozen) }) }

func (p *pair) close() {
	_ = p.client.Close()
	_ = p.server.Close()
}

// New listens on 127.0.0.1:0 and forwards to target (host:port).
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, pairs: map[*pair]bool{}, held: map[net.Conn]bool{}}
	p.wg.Go(p.acceptLoop)
	return p, nil
}

// Addr is the host:port clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Hang stops forwarding in both directions on every connection, existing
// and new. Connections stay open: bytes sent to the proxy are accepted and
// dropped, nothing comes back.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung = true
	for pr := range p.pairs {
		pr.freeze()
	}
}

// Down makes the proxy look like a stopped server: every connection is
// closed, and each new one is closed as soon as it is accepted, until
// Resume.
func (p *Proxy) Down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for pr := range p.pairs {
		pr.close()
		delete(p.pairs, pr)
	}
	for c := range p.held {
		_ = c.Close()
		delete(p.held, c)
	}
}

// Resume forwards new connections again, after Hang or Down. Connections
// that were hung are closed: their clients will have given up on them.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hung, p.down = false, false
	for pr := range p.pairs {
		select {
		case <-pr.frozen:
			pr.close()
			delete(p.pairs, pr)
		default:
		}
	}
	for c := range p.held {
		_ = c.Close()
		delete(p.held, c)
	}
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	err := p.ln.Close()
	for pr := range p.pairs {
		pr.close()
	}
	for c := range p.held {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.mu.Lock()
		switch {
		case p.closed, p.down:
			_ = c.Close()
		case p.hung:
			p.held[c] = true
		default:
			p.wg.Go(func() { p.forward(c) })
		}
		p.mu.Unlock()
	}
}

func (p *Proxy) forward(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	pr := &pair{client: client, server: server, frozen: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pr.close()
		return
	}
	p.pairs[pr] = true
	if p.hung {
		pr.freeze()
	}
	p.mu.Unlock()

	var wg sync.WaitGroup
	wg.Go(func() { pipe(pr, client, server) })
	wg.Go(func() { pipe(pr, server, client) })
	wg.Wait()
	p.mu.Lock()
	delete(p.pairs, pr)
	p.mu.Unlock()
}

// pipe copies src to dst until either fails, dropping everything read once
// the pair is frozen.
func pipe(pr *pair, src, dst net.Conn) {
	defer pr.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			select {
			case <-pr.frozen:
				// Hung: accept and drop.
			default:
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}
