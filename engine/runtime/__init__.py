"""Plumbing the domain code runs on: llama.cpp loading and probing, GGUF headers, the
sandboxed reader process and how it is spawned, the writer lock, the log and the
passphrase sources. Nothing here knows about files, passages or queries."""
