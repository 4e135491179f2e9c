package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Version describes the build: the version set at link time
// (-ldflags "-X main.version=v1.2.3"), else the module version, else the
// VCS revision, else "devel"; then the Go version and platform.
func Version(linked string, info *debug.BuildInfo) string {
	v := linked
	goVersion := runtime.Version()
	if info != nil {
		goVersion = info.GoVersion
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		if v == "" {
			var rev, modified string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value
				}
			}
			if rev != "" {
				if len(rev) > 12 {
					rev = rev[:12]
				}
				v = "devel-" + rev
				if modified == "true" {
					v += "-dirty"
				}
			}
		}
	}
	if v == "" {
		v = "devel"
	}
	return "frontdesk " + strings.TrimSpace(v) + " (" + goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH + ")"
}
