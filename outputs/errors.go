package outputs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// opError builds the error every output returns:
// "outputs: <output>: <op> <path>: <cause>". A *fs.PathError or
// *os.LinkError cause is unwrapped to its errno so that the message names
// the target path once (not a temp file's name); errors.Is still works.
func opError(output, op, path string, err error) error {
	return fmt.Errorf("outputs: %s: %s %s: %w", output, op, path, bareError(err))
}

func bareError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
