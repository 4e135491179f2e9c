package store

import (
	"context"
	"testing"
)

func TestWatchersMergeWhatASlowReaderHasNotTaken(t *testing.T) {
	var w watchers
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a := w.Add(ctx, done)
	b := w.Add(context.Background(), done)
	w.Send(Change{What: ChangedCalls, Account: "1"})
	w.Send(Change{What: ChangedMessages, Account: "1"})
	w.Send(Change{What: ChangedCalls, Account: "2"})
	for _, ch := range []<-chan Change{a, b} {
		if got := <-ch; got.What != ChangedCalls|ChangedMessages || got.Account != "" {
			t.Errorf("merged change = %+v, want calls and messages of several accounts", got)
		}
		select {
		case got := <-ch:
			t.Errorf("a second change was kept: %+v", got)
		default:
		}
	}
	cancel()
	if _, ok := <-a; ok {
		t.Error("a's channel stayed open after its context ended")
	}
	w.Send(Change{What: ChangedCalls}) // reaches b alone, and does not block on a
	if got := <-b; got.What != ChangedCalls {
		t.Errorf("b got %+v", got)
	}
	close(done)
	if _, ok := <-b; ok {
		t.Error("b's channel stayed open after the feed stopped")
	}
}
