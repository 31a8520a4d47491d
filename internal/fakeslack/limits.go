package fakeslack

// What Slack refuses: the limits the fake checks every message and view
// against (see validate.go). Lengths are in characters (Unicode code
// points), not bytes.
//
// Sources:
//   - @slack/types 3.2.0, the type definitions Slack publishes with Bolt
//     (installed with ../shared/peer by npm ci): the "Maximum length",
//     "Maximum number" comments of dist/block-kit/blocks.d.ts,
//     block-elements.d.ts, composition-objects.d.ts, extensions.d.ts and
//     dist/views.d.ts;
//   - Slack's reference pages (docs.slack.dev/reference/block-kit/...,
//     /reference/methods/chat.postMessage, views.open, views.publish):
//     50 blocks in a message and 100 in a modal or Home tab, 40,000
//     characters of message text (msg_too_long), 250 kB a view
//     (view_too_large), and an option's value of 150 characters (the type
//     definitions still say 75; the reference page says 150);
//   - msg_blocks_too_long, which no reference page documents: bolt-js
//     issues 2509 (refused at ~13,200 characters of block text; Slack's
//     answer there: "12,000 text characters with a buffer for block
//     containers") and 2867 (refused at 11,341 counted; a reply through
//     response_url with the same blocks was accepted). The fake refuses a
//     chat.* message whose blocks hold more than 11,300 characters of
//     text in all: below the smallest refusal reported, so a message the
//     fake takes, Slack takes.
const (
	maxMessageBlocks   = 50     // blocks in a message
	maxViewBlocks      = 100    // blocks in a modal or Home tab (views.d.ts)
	maxMessageText     = 40000  // a message's top-level "text" (msg_too_long)
	maxBlocksText      = 11300  // text in all of a message's blocks (msg_blocks_too_long)
	maxViewBytes       = 250000 // a view's JSON (view_too_large)
	maxBlockID         = 255    // block_id, unique within a message or view (blocks.d.ts)
	maxActionID        = 255    // action_id, unique within its block (extensions.d.ts)
	maxTextObject      = 3000   // any text object (composition-objects.d.ts)
	maxSectionText     = 3000   // section text (blocks.d.ts)
	maxSectionFields   = 10     // section fields (blocks.d.ts)
	maxSectionField    = 2000   // each section field (blocks.d.ts)
	maxHeaderText      = 150    // header, plain_text (blocks.d.ts)
	maxMarkdownText    = 12000  // markdown block (blocks.d.ts)
	maxContextElements = 10     // context block elements (blocks.d.ts)
	maxActionsElements = 25     // actions block elements (blocks.d.ts)
	maxInputLabel      = 2000   // input label and hint, plain_text (blocks.d.ts)
	maxImageAltText    = 2000   // image alt_text (blocks.d.ts)
	maxButtonText      = 75     // button text, plain_text (block-elements.d.ts)
	maxButtonValue     = 2000   // button value (block-elements.d.ts)
	maxURL             = 3000   // button and option url (block-elements.d.ts)
	maxAccessLabel     = 75     // button accessibility_label (block-elements.d.ts)
	maxPlaceholder     = 150    // placeholder, plain_text (extensions.d.ts)
	maxSelectOptions   = 100    // options, and option groups, of a static select (block-elements.d.ts)
	maxChoiceOptions   = 10     // options of checkboxes and radio buttons (block-elements.d.ts)
	maxOverflowOptions = 5      // options of an overflow menu (block-elements.d.ts)
	maxOptionText      = 75     // option text and description, option group label (composition-objects.d.ts)
	maxOptionValue     = 150    // option value (reference page; see above)
	maxConfirmTitle    = 100    // confirmation dialog title, plain_text (composition-objects.d.ts)
	maxConfirmText     = 300    // confirmation dialog text (composition-objects.d.ts)
	maxConfirmButton   = 30     // confirmation dialog confirm and deny, plain_text (composition-objects.d.ts)
	maxInputMinLength  = 3000   // plain_text_input min_length (block-elements.d.ts)
	maxInputMaxLength  = 3000   // plain_text_input max_length, and so its initial_value (block-elements.d.ts)
	maxViewTitle       = 24     // modal title, submit and close, plain_text (views.d.ts)
	maxPrivateMetadata = 3000   // view private_metadata (views.d.ts)
	maxCallbackID      = 255    // view callback_id (views.d.ts)
	maxExternalID      = 255    // view external_id (views.open reference)
)
