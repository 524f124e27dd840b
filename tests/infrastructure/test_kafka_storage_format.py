"""Formatting KRaft storage works for every cluster id, including those that start with '-'."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from careerstream.devstack import kafka
from careerstream.devstack.config import StackConfig


def test_a_cluster_id_starting_with_a_dash_formats(tmp_path: Path) -> None:
    real = StackConfig.for_tests()
    kafka.ensure_jars(real)
    (tmp_path / "kafka-jars").symlink_to(real.jars_dir)  # the jars live beside the stack's home
    cfg = dataclasses.replace(real, home=tmp_path / "stack")
    data = tmp_path / "data"
    props = tmp_path / "server.properties"
    props.write_text(kafka._properties(cfg, data))
    kafka.format_storage(cfg, props, "-" + kafka.new_cluster_id()[1:])
    meta = (data / "meta.properties").read_text()
    assert "cluster.id=-" in meta


def test_cluster_ids_are_22_characters() -> None:
    assert all(len(kafka.new_cluster_id()) == 22 for _ in range(100))
