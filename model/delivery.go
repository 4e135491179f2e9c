package model

import (
	"strings"
	"time"
)

// Channel is how a message reaches the person it is for.
type Channel string

// The channels.
const (
	ChannelMail    Channel = "mail"    // e-mail to the person's address from the directory
	ChannelWebhook Channel = "webhook" // JSON to the configured webhook
)

// DeliveryState is where a message's delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryQueued DeliveryState = "queued" // not sent yet, or waiting to be tried again
	DeliverySent   DeliveryState = "sent"
	DeliveryFailed DeliveryState = "failed" // refused for good; LastError says why
)

// Delivery is a message on its way through one channel. A message is
// stored with its deliveries queued, and sent after, so a restart or a
// mail server that is down loses nothing.
type Delivery struct {
	ID        int64 // assigned by the store
	MessageID int64
	Channel   Channel
	To        string // the e-mail address for ChannelMail; "" for the webhook
	State     DeliveryState
	Attempts  int       // attempts made
	LastError string    // why the last attempt failed; "" after a success
	NextTry   time.Time // when a queued delivery is due
	Updated   time.Time // when the state last changed; zero until the first attempt
}

// DeliveryNote says in a few words how a message's deliveries stand, for a
// list: "mailed", "mail queued: connection refused", "webhook failed: …".
// It is "" for a message with no deliveries.
func DeliveryNote(ds []Delivery) string {
	var parts []string
	for _, d := range ds {
		what := string(d.Channel)
		switch {
		case d.State == DeliverySent && d.Channel == ChannelMail:
			parts = append(parts, "mailed")
		case d.State == DeliverySent:
			parts = append(parts, what+" sent")
		case d.LastError != "":
			parts = append(parts, what+" "+string(d.State)+": "+Clean(d.LastError, 80))
		default:
			parts = append(parts, what+" "+string(d.State))
		}
	}
	return strings.Join(parts, ", ")
}
