package history

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func exportMessages() []Message {
	return []Message{
		{ID: 2, For: "Dana Whitfield", CallerName: "Hannah Brooks", CallerNumber: "(646) 555-0142",
			Text: "Lunch order 42 is late.\r\nPlease call back\x1b[2J before 3.", CallID: "66517", Created: base.Add(5*time.Hour + 5*time.Minute)},
		{ID: 1, For: "", CallerName: "", CallerNumber: "9175550163", Text: "Will try again tomorrow", Created: base, Done: true},
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, exportMessages()); err != nil {
		t.Fatal(err)
	}
	want := `[open] 2026-03-02 14:05  for Dana Whitfield
       from Hannah Brooks, (646) 555-0142
       Lunch order 42 is late.
       Please call back[2J before 3.

[done] 2026-03-02 09:00
       from 9175550163
       Will try again tomorrow
`
	if buf.String() != want {
		t.Errorf("WriteText:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteText(&buf, nil); err != nil || buf.Len() != 0 {
		t.Errorf("WriteText(nil) = %q, %v", buf.String(), err)
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	msgs := exportMessages()
	if err := WriteJSON(&buf, msgs); err != nil {
		t.Fatal(err)
	}
	var fields []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &fields); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if got := fields[0]; got["for"] != "Dana Whitfield" || got["caller_number"] != "(646) 555-0142" ||
		got["created"] != "2026-03-02T14:05:00Z" || got["done"] != false || got["call_id"] != "66517" {
		t.Errorf("first message fields = %v", got)
	}
	if _, ok := fields[1]["call_id"]; ok {
		t.Errorf("empty call_id written: %v", fields[1])
	}
	var back []Message
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || !reflect.DeepEqual(back, msgs) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v (%v)", back, msgs, err)
	}
	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("WriteJSON(nil) = %q, %v", buf.String(), err)
	}
}
