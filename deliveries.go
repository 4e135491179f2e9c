package main

import (
	"context"
	"errors"
	"os/user"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/outbox"
)

// deliveryBackoff is how soon a delivery is tried again while its server
// is down (tests shorten it).
var deliveryBackoff = outbox.DefaultBackoff

// postman sends the messages taken in this process to the people they are
// for, through the outbox, and addresses each message as it is taken.
type postman struct {
	mail, webhook bool
}

// startOutbox starts the process's outbox when [smtp] or [webhook] is set
// and the history database is open (the outbox lives in it). It runs until
// ctx ends; messages queued by other processes or boxes on the same
// database are sent too.
func startOutbox(ctx context.Context, c *config.Config, h *history, logger *log.Logger) (*postman, error) {
	if h == nil || h.off != nil || (!c.SMTP.Enabled() && c.WebhookURL == "") {
		return nil, nil
	}
	senders := map[model.Channel]outbox.Sender{}
	if c.SMTP.Enabled() {
		password, err := c.SMTP.ReadSMTPPassword()
		if err != nil {
			return nil, err
		}
		mail, err := outbox.NewSMTP(outbox.SMTPConfig{
			Server: c.SMTP.Server, From: c.SMTP.From, User: c.SMTP.User, Password: password, TLS: outbox.TLS(c.SMTP.TLS),
		})
		if err != nil {
			return nil, err
		}
		senders[model.ChannelMail] = mail
	}
	if c.WebhookURL != "" {
		hook, err := outbox.NewWebhook(c.WebhookURL)
		if err != nil {
			return nil, err
		}
		senders[model.ChannelWebhook] = hook
	}
	ob := outbox.New(h.db, senders, deliveryBackoff)
	ob.OnResult(func(d model.Delivery, m model.Message) {
		fields := []any{"message", m.ID, "channel", d.Channel, "to", d.To, "state", d.State, "attempts", d.Attempts}
		switch d.State {
		case model.DeliverySent:
			logger.Info("message delivered", fields...)
		case model.DeliveryFailed:
			logger.Error("message not delivered", append(fields, "err", d.LastError)...)
		default:
			logger.Warn("message delivery will be tried again", append(fields, "err", d.LastError, "next", d.NextTry)...)
		}
	})
	go func() {
		if err := ob.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Error("outbox stopped", "err", err)
		}
	}()
	return &postman{mail: senders[model.ChannelMail] != nil, webhook: senders[model.ChannelWebhook] != nil}, nil
}

// address sets how a message taken by takenBy reaches its person: mailed
// to the address the directory has for them, and posted to the webhook.
func (p *postman) address(takenBy string) func(*model.Message, *directory.Directory) {
	return func(m *model.Message, dir *directory.Directory) {
		m.TakenBy = takenBy
		if p == nil {
			return
		}
		if c, ok := dir.Named(m.For); ok && c.Email != "" && p.mail {
			m.Deliveries = append(m.Deliveries, model.Delivery{Channel: model.ChannelMail, To: c.Email})
		}
		if p.webhook {
			m.Deliveries = append(m.Deliveries, model.Delivery{Channel: model.ChannelWebhook})
		}
	}
}

// localUser is who takes messages at a console run from a shell: the
// login name.
func localUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
