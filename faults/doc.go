// Package faults is frontdesk's end-to-end fault suite. Its tests run the
// simulator (transport/skysim) on loopback, the real stream client
// (transport.Stream), the call table (model.Table) fed from the stream's
// events and, where the screen matters, the console (tui) driven through
// Update, and push them through the failures the API guide warns about:
// dropped connections, forced unsubscription (error 17), listCalls rate
// limiting (error 6), a refused PIN (error 5), a phone that is not logged in
// (error 8), malformed and split documents, bursts of states, hostile caller
// text, and the PIN leaking anywhere it must not.
//
// The package holds no code of its own; run it with `make faults`.
package faults
