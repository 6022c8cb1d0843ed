package action_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/loadgate/loadgate/action"
)

// action.yml runs Run through loadgate action, with the workflow's inputs
// as INPUT_* variables. A bad input fails the step before anything runs:
// an error annotation names the input, and the error matches
// [action.ErrBadInput] (loadgate action exits 2).
func ExampleRun() {
	os.Setenv("INPUT_COUNT", "many") // count: many
	defer os.Unsetenv("INPUT_COUNT")

	err := action.Run(context.Background(), os.Stdout)
	fmt.Println(errors.Is(err, action.ErrBadInput), errors.Is(err, action.ErrCheckFailed))
	// Output:
	// ::error::loadgate: input count: "many": want auto or a whole number of runs a side, from 1 to 100
	// true false
}
