package tui

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

func TestDeliveryLineSaysWhereAMessageStands(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    model.Delivery
		want string
	}{
		{model.Delivery{Channel: model.ChannelMail, To: "grace@example.com", State: model.DeliverySent, Updated: now.Add(-time.Hour)},
			"grace@example.com by mail: sent 14:00"},
		{model.Delivery{Channel: model.ChannelMail, To: "grace@example.com", State: model.DeliveryQueued},
			"grace@example.com by mail: queued"},
		{model.Delivery{Channel: model.ChannelMail, To: "grace@example.com", State: model.DeliveryQueued,
			LastError: "dial tcp: connection refused", NextTry: now.Add(90 * time.Second)},
			"grace@example.com by mail: queued, next try 15:01:30 (dial tcp: connection refused)"},
		{model.Delivery{Channel: model.ChannelWebhook, State: model.DeliveryFailed, LastError: "webhook answered HTTP 404\x1b[2J"},
			"webhook: failed: webhook answered HTTP 404"},
	} {
		if got := deliveryLine(tc.d, now); got != tc.want {
			t.Errorf("deliveryLine(%+v)\n got %q\nwant %q", tc.d, got, tc.want)
		}
	}
}
