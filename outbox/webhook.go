package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// WebhookSender posts each delivery's letter as JSON to one URL.
type WebhookSender struct {
	url    string
	client *http.Client
}

// webhookBody is the JSON a webhook receives: who called, their number,
// when, the message, who took it and for whom.
type webhookBody struct {
	MessageID    int64     `json:"message_id"`
	Account      string    `json:"account"`
	For          string    `json:"for"`
	CallerName   string    `json:"caller_name"`
	CallerNumber string    `json:"caller_number"`
	Text         string    `json:"text"`
	Taken        time.Time `json:"taken"`
	TakenBy      string    `json:"taken_by"`
}

// NewWebhook returns a sender posting to rawURL (http or https).
func NewWebhook(rawURL string) (*WebhookSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: url must be an http:// or https:// address")
	}
	return &WebhookSender{url: rawURL, client: &http.Client{Timeout: 30 * time.Second}}, nil
}

// Send posts message m. A 4xx answer (other than 408 and 429) is a refusal
// for good; anything else that is not 2xx is retried.
func (w *WebhookSender) Send(ctx context.Context, d model.Delivery, m model.Message) error {
	body, err := json.Marshal(webhookBody{
		MessageID: m.ID, Account: oneLine(m.Account), For: oneLine(m.For),
		CallerName: oneLine(m.CallerName), CallerNumber: oneLine(m.CallerNumber),
		Text: cleanText(m.Text), Taken: m.Created, TakenBy: oneLine(m.TakenBy),
	})
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", redactURLError(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return Permanent(fmt.Errorf("webhook answered HTTP %d", code))
	default:
		return fmt.Errorf("webhook answered HTTP %d", code)
	}
}

// redactURLError drops the URL (which may carry a token) from a client
// error, keeping the reason.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
