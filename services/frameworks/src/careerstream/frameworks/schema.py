"""Write the JSON Schema of the framework file: `python -m careerstream.frameworks.schema`."""

import json
from pathlib import Path

from careerstream.frameworks.domain.model import Framework

TARGET = Path(__file__).parents[3] / "framework.schema.json"


def schema() -> dict[str, object]:
    doc = Framework.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["$id"] = "urn:careerstream:frameworks:framework-file"
    return doc


if __name__ == "__main__":
    TARGET.write_text(json.dumps(schema(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {TARGET}")
