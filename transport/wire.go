// Package transport speaks the ShoreTel Sky Hosted API: the XML wire types,
// the long-lived chunked stream session, the one-shot GET client and the
// API's typed errors.
package transport

import (
	"encoding/xml"
	"strings"
)

// Command names, as the guide spells them.
const (
	CmdDial      = "org.m5.apps.v1.cti.ClickToDial.dial"
	CmdAnswer    = "org.m5.apps.v1.cti.ClickToDial.answer"
	CmdIgnore    = "org.m5.apps.v1.cti.ClickToDial.ignore"
	CmdRelease   = "org.m5.apps.v1.cti.ClickToDial.release"
	CmdHold      = "org.m5.apps.v1.cti.ClickToDial.hold"
	CmdResume    = "org.m5.apps.v1.cti.ClickToDial.resume"
	CmdListCalls = "org.m5.apps.v1.cti.ClickToDial.listCalls"
	CmdSubscribe = "org.m5.apps.v1.cti.ClickToDial.subscribe"
)

// Namespaces and xsi types used in the guide's documents.
const (
	nsXSD = "http://www.w3.org/2001/XMLSchema"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"

	TypeBoolean = "boolean"
	TypeInt     = "int"
	TypeString  = "string"
	TypeXMLList = "xmlList"
	TypeCall    = "org.m5.data.v1.cti.Call"
	TypeError   = "org.m5.api.v1.Error"
)

// Command is a request document, sent on the stream or mirrored by a GET.
type Command struct {
	XMLName   xml.Name   `xml:"Command"`
	Name      string     `xml:"Name"`
	User      string     `xml:"User"`
	Password  string     `xml:"Password"`
	Arguments []Argument `xml:"Arguments"`
	// ID is the raw text of <Id>; empty when the element is absent.
	ID string `xml:"Id,omitempty"`
}

// Argument is one positional <Arguments> element. Blank arguments are still
// sent: the API counts them.
type Argument struct {
	Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr,omitempty"`
	Value string `xml:",chardata"`
}

// GoString keeps the password out of %#v.
func (c Command) GoString() string { return c.String() }

// String describes the command without its password.
func (c Command) String() string {
	args := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		args[i] = a.Value
	}
	return "Command{" + c.Name + " user=" + c.User + " args=[" + strings.Join(args, ",") + "] id=" + c.ID + "}"
}

// Response is an org.m5.api.v1.Response document.
type Response struct {
	XMLName    xml.Name `xml:"org.m5.api.v1.Response"`
	ErrorCount int      `xml:"ErrorCount"`
	Errors     []Error  `xml:"Errors>item"`
	ID         string   `xml:"Id"`
	Result     *Result  `xml:"Result"`
}

// Result carries the typed result: a boolean, an int, or an xmlList of calls.
// Type is the local part of xsi:type ("boolean", "int", "xmlList"), with any
// namespace prefix such as "ns5:" removed.
type Result struct {
	Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Text  string `xml:",chardata"`
	Items []Call `xml:"item"`
}

// Call is an org.m5.data.v1.cti.Call. CLID is nil when the element is absent.
type Call struct {
	Ani        string  `xml:"Ani"`
	CLID       *string `xml:"CLID"`
	DID        string  `xml:"DID"`
	Duration   int     `xml:"Duration"`
	Endpoint   string  `xml:"Endpoint"`
	ID         string  `xml:"Id"`
	Originated bool    `xml:"Originated"`
	State      string  `xml:"State"`
}

// Error is an org.m5.api.v1.Error as carried in <Errors>.
type Error struct {
	MajorErrorCode int    `xml:"MajorErrorCode"`
	Message        string `xml:"Message"`
	MinorErrorCode int    `xml:"MinorErrorCode"`
}
