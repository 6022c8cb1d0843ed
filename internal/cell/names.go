package cell

import (
	"fmt"
	"path"
)

// Scenario is a scenario as outputs list it: its name and the import path
// of its package ("" when unknown).
type Scenario struct{ Name, Package string }

// ScenarioNames names each of the scenarios for a list that holds them
// all: by its name, and when scenarios of several packages share it (each
// package's TestLoad), with its package's last element ("TestLoad
// (cart)"), or its whole path when that is shared too ("TestLoad
// (example.com/a/cart)"). It is the one rule of loadgate compare's and
// report's lists, the HTML report's and the Action's, so that a name reads
// alike everywhere and two scenarios never read alike.
func ScenarioNames(all []Scenario) []string {
	pkgs := map[string]map[string]bool{} // name -> its packages
	for _, s := range all {
		if pkgs[s.Name] == nil {
			pkgs[s.Name] = map[string]bool{}
		}
		pkgs[s.Name][s.Package] = true
	}
	out := make([]string, len(all))
	for i, s := range all {
		out[i] = s.Name
		if len(pkgs[s.Name]) < 2 || s.Package == "" {
			continue
		}
		short := path.Base(s.Package)
		for other := range pkgs[s.Name] {
			if other != s.Package && path.Base(other) == short {
				short = s.Package
				break
			}
		}
		out[i] = fmt.Sprintf("%s (%s)", s.Name, short)
	}
	return out
}
