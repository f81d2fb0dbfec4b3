"""What several screens share: the background runner and writer, the error label, the student
type-ahead, date helpers. Each module is small and imports only what it needs."""
