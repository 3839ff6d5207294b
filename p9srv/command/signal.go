package command

import (
	"os"
	"syscall"
)

// stopSignals end the command cleanly.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}
