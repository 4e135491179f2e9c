package consoletest

import (
	"slices"
	"testing"
)

// The race build tag and the build information are two records of the same
// -race flag: BuildFlags must agree with the tag.
func TestBuildFlagsFollowTheRaceDetector(t *testing.T) {
	if got := slices.Contains(BuildFlags(), "-race"); got != raceDetector {
		t.Errorf("BuildFlags() = %q in a test binary built with race detector %v", BuildFlags(), raceDetector)
	}
}
