"""allfuse: RNA-seq gene-fusion calling and exon-level classification for BCP-ALL."""

__version__ = "0.1.0"
