"""Package-data folder: the bundled embedding model (all-MiniLM-L6-v2 as GGUF) and its license.

Built reproducibly by packaging/build_embedding_model.py; provenance and checksums are in
packaging/models/. Loaded through engine.embed.bundled_model_path().
"""
