"""HTTP input and output schemas (pydantic), apart from the domain dataclasses."""
