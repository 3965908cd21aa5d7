"""Product image files the sandbox serves (``/product_images/<id>.png``): a small PNG of one
colour per image id, so that tests can tell two images apart by their bytes."""
import struct
import zlib


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(image_id, size=8):
    """An 8x8 RGB PNG whose colour depends on ``image_id``."""
    colour = bytes(((image_id * 67) % 256, (image_id * 131) % 256, (image_id * 29) % 256))
    rows = b"".join(b"\x00" + colour * size for _row in range(size))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))
