"""chainmatch.matching: embeddings, indexes, classification and recommendation."""
