package transport

import "time"

// ConnStatus is the state of the stream's connection to the API.
type ConnStatus int

const (
	// ConnConnecting: connecting and subscribing.
	ConnConnecting ConnStatus = iota
	// ConnLive: subscribed; call events flow and commands are accepted.
	ConnLive
	// ConnReconnecting: waiting until NextTry before connecting again.
	ConnReconnecting
	// ConnFailed: stopped for good (the DID/PIN was refused); Run returned.
	ConnFailed
)

// String returns "connecting", "live", "reconnecting" or "failed".
func (c ConnStatus) String() string {
	switch c {
	case ConnConnecting:
		return "connecting"
	case ConnLive:
		return "live"
	case ConnReconnecting:
		return "reconnecting"
	case ConnFailed:
		return "failed"
	}
	return "unknown"
}

// ConnState describes the connection. Err says why the stream is
// reconnecting or failed, and may be set while live (for example when the
// first listCalls was rate limited and the snapshot is still to come). An
// Err that matches ErrPhoneNotLoggedIn means the phone is not logged in and
// the stream retries slowly.
type ConnState struct {
	Status  ConnStatus
	NextTry time.Time // when Reconnecting
	Attempt int       // consecutive failed attempts
	Err     error
}

// EventKind says which field of an Event is set.
type EventKind int

const (
	// EventSnapshot: Calls holds a full listCalls result. One follows every
	// (re)subscribe, and every successful listCalls on the stream.
	EventSnapshot EventKind = iota
	// EventCall: Call holds one call update pushed by the subscription.
	EventCall
	// EventConn: Conn holds the new connection state.
	EventConn
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventSnapshot:
		return "snapshot"
	case EventCall:
		return "call"
	case EventConn:
		return "conn"
	}
	return "unknown"
}

// Event is one thing the stream reports, in the order it happened.
type Event struct {
	Kind  EventKind
	Calls []Call    // EventSnapshot
	Call  Call      // EventCall
	Conn  ConnState // EventConn
	At    time.Time
}
