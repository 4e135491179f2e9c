// Package model is frontdesk's pure domain: call states, the live call table
// (apply one event, reconcile a listCalls snapshot), the display order, which
// call an action targets, dial-number rules, caller formatting, text cleaning
// and call history entries.
//
// The package does no I/O and never reads the clock: every function that
// needs the time takes it as an argument, so the same inputs always give the
// same table.
package model
