package loadtest

// ForgetInterruption lets a test that interrupted a scenario on purpose
// leave the process as it found it: later scenarios start again.
func ForgetInterruption() {
	interruption.Lock()
	defer interruption.Unlock()
	interruption.signal, interruption.scenario = nil, ""
}
