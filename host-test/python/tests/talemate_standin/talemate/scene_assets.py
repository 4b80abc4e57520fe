"""Mirrors the part of src/talemate/scene_assets.py (a1d209a9) that requests
read references through: asset bytes by id."""

import base64
from typing import Dict, List, Optional


class SceneAssets:
    def __init__(self, assets: Optional[Dict[str, bytes]] = None):
        self.assets: Dict[str, bytes] = dict(assets or {})

    def get_asset_bytes(self, asset_id: str) -> Optional[bytes]:
        """scene_assets.py:896-908: the bytes, or None for an unknown id."""
        return self.assets.get(asset_id)

    def get_asset_bytes_many(self, asset_ids: List[str]) -> List[bytes]:
        """scene_assets.py:910-918: unknown ids are dropped silently."""
        return [b for b in (self.get_asset_bytes(i) for i in asset_ids) if b is not None]

    def bytes_from_image_data(self, image_data: str) -> bytes:
        """scene_assets.py:740-746: the bytes of a ``data:`` URL."""
        return base64.b64decode(image_data.split(",", 1)[1])


class Scene:
    """Only ``assets``, as the visual requests use it."""

    def __init__(self, assets: Optional[Dict[str, bytes]] = None):
        self.assets = SceneAssets(assets)
