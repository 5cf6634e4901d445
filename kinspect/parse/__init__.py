"""Text to documents: split streams, plain data with node trees for positions, limits, errors."""
