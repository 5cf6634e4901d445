"""`kinspect lsp`: a language server over stdio (pygls), kinspect's findings in the editor.

Everything here imports pygls or lsprotocol (the `lsp` extra), so nothing below `cli/`
imports this package, and the command line imports it only for `kinspect lsp`.
"""
