"""The desktop app (PySide6). The only package that builds windows."""
