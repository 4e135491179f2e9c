package skysim

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/frontdesk/frontdesk/transport"
)

// frames feeds input in the given pieces and returns every frame.
func frames(pieces [][]byte) []frame {
	var f framer
	var out []frame
	for _, p := range pieces {
		f.feed(p)
		for {
			fr, ok := f.next(false)
			if !ok {
				break
			}
			out = append(out, fr)
		}
	}
	for {
		fr, ok := f.next(true)
		if !ok {
			break
		}
		out = append(out, fr)
	}
	return out
}

func TestFramerAnySplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var docs [][]byte
	var all []byte
	for i := 0; i < 20; i++ {
		d := cmdDoc(transport.CmdAnswer, testDID, testPIN, strconv.Itoa(i), "", "")
		if i%3 == 1 {
			d = bytes.TrimPrefix(d, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`))
		}
		docs = append(docs, d)
		all = append(all, d...)
		all = append(all, []byte("\n \t")[:rng.IntN(4)]...)
	}
	for trial := 0; trial < 30; trial++ {
		var pieces [][]byte
		for rest := all; len(rest) > 0; {
			n := min(1+rng.IntN(300), len(rest))
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
		got := frames(pieces)
		if len(got) != len(docs) {
			t.Fatalf("trial %d: %d frames, want %d", trial, len(got), len(docs))
		}
		for i, fr := range got {
			if fr.err != nil {
				t.Fatalf("frame %d: %v", i, fr.err)
			}
			cmd, err := parseCommand(fr.doc)
			if err != nil || cmd.ID != strconv.Itoa(i) || len(cmd.Arguments) != 2 || cmd.Password != testPIN {
				t.Fatalf("frame %d: %+v %v", i, cmd, err)
			}
		}
	}
}

func TestFramerOversizedDocument(t *testing.T) {
	big := append([]byte("<Command><Name>"), bytes.Repeat([]byte("x"), maxDocument+10)...)
	next := cmdDoc(transport.CmdHold, testDID, testPIN, "9", "")
	for _, pieces := range [][][]byte{
		{big, []byte("</Name></Command>"), next},
		{append(append(big, "</Name></Command>"...), next...)}, // the next document already there
	} {
		got := frames(pieces)
		if len(got) != 2 || got[0].err != errTooLarge || got[1].err != nil {
			for _, fr := range got {
				t.Logf("frame of %d bytes, err %v", len(fr.doc), fr.err)
			}
			t.Fatalf("%d frames", len(got))
		}
	}
}

// FuzzFramer: any input before a good document, in any split, never panics
// and always yields a frame.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("<Command><Name>x</Nme></Command>"), uint8(3))
	f.Add([]byte("junk"), uint8(1))
	f.Add([]byte("<?xml version='1.0'?><Command/>"), uint8(7))
	f.Add([]byte("<Command><Name>"), uint8(2))
	good := cmdDoc(transport.CmdHold, testDID, testPIN, "424242", "")
	f.Fuzz(func(t *testing.T, junk []byte, split uint8) {
		input := append(append(append([]byte{}, junk...), []byte("</Command>")...), good...)
		n := int(split%64) + 1
		var pieces [][]byte
		for rest := input; len(rest) > 0; {
			k := min(n, len(rest))
			pieces = append(pieces, rest[:k])
			rest = rest[k:]
		}
		if got := frames(pieces); len(got) == 0 {
			t.Fatal("no frames")
		}
	})
}
