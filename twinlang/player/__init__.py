"""Stage 5: the reference player. It reads a bundle (through `twinlang.bundle`) and an
optional trace, and never the compiler's internals: any other player can do the same."""
