package skysim

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// maxQueued bounds the replies and events waiting for one slow stream; past
// it the stream is dropped, as a real server would give up on the client.
const maxQueued = 10000

// session is one long-lived POST stream.
type session struct {
	id     int
	conn   net.Conn
	remote string

	// guarded by Server.mu
	subs  map[string]string // DID -> the subscribe command's Id
	users map[string]bool   // DIDs that have sent commands on this stream

	qmu    sync.Mutex
	queue  [][]byte
	ending bool // the request body ended: finish once the queue is written
	wake   chan struct{}

	dead     chan struct{}
	dropOnce sync.Once
	dropped  atomic.Bool
}

func newSession(id int, conn net.Conn, remote string) *session {
	return &session{
		id:     id,
		conn:   conn,
		remote: remote,
		subs:   make(map[string]string),
		users:  make(map[string]bool),
		wake:   make(chan struct{}, 1),
		dead:   make(chan struct{}),
	}
}

// enqueue adds one chunk to write. It never blocks.
func (ss *session) enqueue(chunk []byte) {
	ss.qmu.Lock()
	if ss.dropped.Load() {
		ss.qmu.Unlock()
		return
	}
	if len(ss.queue) >= maxQueued {
		ss.qmu.Unlock()
		ss.drop()
		return
	}
	ss.queue = append(ss.queue, chunk)
	ss.qmu.Unlock()
	ss.signal()
}

func (ss *session) signal() {
	select {
	case ss.wake <- struct{}{}:
	default:
	}
}

// finish marks the end of the request body: the stream ends once every
// reply already queued is written.
func (ss *session) finish() {
	ss.qmu.Lock()
	ss.ending = true
	ss.qmu.Unlock()
	ss.signal()
}

// drop closes the stream's TCP connection at once.
func (ss *session) drop() {
	ss.dropOnce.Do(func() {
		ss.dropped.Store(true)
		if ss.conn != nil {
			_ = ss.conn.Close()
		}
		close(ss.dead)
	})
}

// take waits for the next chunk to write; false means the stream is over.
func (ss *session) take(done <-chan struct{}) ([]byte, bool) {
	for {
		ss.qmu.Lock()
		if len(ss.queue) > 0 {
			c := ss.queue[0]
			ss.queue[0] = nil
			ss.queue = ss.queue[1:]
			ss.qmu.Unlock()
			return c, true
		}
		ending := ss.ending
		ss.qmu.Unlock()
		if ending {
			return nil, false
		}
		select {
		case <-ss.wake:
		case <-ss.dead:
			return nil, false
		case <-done:
			return nil, false
		}
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.serveGET(w, r)
	case http.MethodPost:
		s.serveStream(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// serveGET runs one command from the query: name, user, password and args
// (repeated, in order).
func (s *Server) serveGET(w http.ResponseWriter, r *http.Request) {
	cmd := commandFromQuery(r.URL.Query())
	if !s.admit(w) {
		return
	}
	defer s.handlers.Done()
	s.stats.gets++
	doc := s.execLocked(cmd, viaGET, nil)
	s.flushLocked()
	s.mu.Unlock()
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(doc)
}

const contentType = "text/xml; charset=UTF-8"

// admit takes the lock for a new request and counts it as handled until
// the caller calls s.handlers.Done; the caller releases the lock. A closed
// server answers 503 instead (false, the lock released).
func (s *Server) admit(w http.ResponseWriter) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "server closed", http.StatusServiceUnavailable)
		return false
	}
	s.handlers.Add(1)
	return true
}

// serveStream runs the long-lived chunked POST: commands are read from the
// request body as they arrive and every reply and event is written back as
// its own flushed chunk.
func (s *Server) serveStream(w http.ResponseWriter, r *http.Request) {
	if !s.admit(w) {
		return
	}
	defer s.handlers.Done()
	conn, _ := r.Context().Value(connKey{}).(net.Conn)
	s.nextSessID++
	sess := newSession(s.nextSessID, conn, r.RemoteAddr)
	s.sessions[sess] = struct{}{}
	s.stats.streams++
	s.notifyLocked()
	s.mu.Unlock()
	s.log.Info("stream opened", "stream", sess.id, "remote", sess.remote)

	defer func() {
		s.mu.Lock()
		delete(s.sessions, sess)
		s.notifyLocked()
		s.mu.Unlock()
		s.log.Info("stream closed", "stream", sess.id)
	}()

	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex()
	w.Header().Set("Content-Type", contentType)

	// A client that sent "Expect: 100-continue" waits for the interim
	// response before sending its body; the server sends it on the first
	// read of the body, which must come before the final header.
	expect := strings.EqualFold(r.Header.Get("Expect"), "100-continue")
	firstRead := make(chan struct{})
	var firstOnce sync.Once
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer firstOnce.Do(func() { close(firstRead) })
		s.readCommands(sess, r.Body, func() { firstOnce.Do(func() { close(firstRead) }) })
	}()
	defer func() {
		sess.qmu.Lock()
		ended := sess.ending // the reader saw the end of the body and is done
		sess.qmu.Unlock()
		if !ended {
			sess.drop() // unblocks the reader
		}
		<-readerDone
	}()
	if expect {
		select {
		case <-firstRead:
		case <-sess.dead:
			return
		case <-s.ctx.Done():
			return
		}
	}
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		sess.drop()
		return
	}

	for {
		chunk, ok := sess.take(s.ctx.Done())
		if !ok {
			return
		}
		if err := s.writeChunk(w, rc, chunk); err != nil {
			sess.drop()
			return
		}
	}
}

// writeChunk writes one queued item as one flushed chunk, or as several of
// SplitWrites bytes each.
func (s *Server) writeChunk(w http.ResponseWriter, rc *http.ResponseController, chunk []byte) error {
	n := int(s.splitWrites.Load())
	if n <= 0 || n >= len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
		return rc.Flush()
	}
	for len(chunk) > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil {
			return err
		}
		chunk = chunk[k:]
	}
	return nil
}

// readCommands reads the request body incrementally, cutting it into
// documents and running each command as soon as it is complete. The end of
// the body (a zero-length chunk) ends the session: nothing after it is read.
func (s *Server) readCommands(sess *session, body io.Reader, afterFirstRead func()) {
	var f framer
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		afterFirstRead()
		if n > 0 {
			f.feed(buf[:n])
			s.runFrames(sess, &f, false)
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				s.runFrames(sess, &f, true)
				s.mu.Lock()
				clear(sess.subs) // the session is over: no more events
				s.notifyLocked()
				s.mu.Unlock()
				sess.finish()
			} else {
				sess.drop()
			}
			return
		}
	}
}

func (s *Server) runFrames(sess *session, f *framer, eof bool) {
	for {
		fr, ok := f.next(eof)
		if !ok {
			return
		}
		if sess.dropped.Load() {
			return
		}
		var cmd commandOrError
		if fr.err != nil {
			cmd.err = fr.err
		} else {
			c, err := parseCommand(fr.doc)
			cmd.cmd, cmd.err = c, err
		}
		s.mu.Lock()
		var doc []byte
		if cmd.err != nil {
			doc = s.badXMLLocked(cmd.err, sess)
		} else {
			doc = s.execLocked(cmd.cmd, viaPOST, sess)
		}
		sess.enqueue(doc)
		s.flushLocked()
		s.mu.Unlock()
	}
}
