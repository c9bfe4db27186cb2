"""The procedural cats: shapes, seeds, accessories confined to their regions, visible fur, errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from specialist.simulate.cats import (
    ACCESSORIES,
    HEAD_CENTER,
    CatFactors,
    accessory_regions,
    render_cats,
    sample_factors,
    simulate_cats,
)


@pytest.fixture(scope="module")
def factors() -> CatFactors:
    return sample_factors(300, seed=7)


def _local_frame(f: CatFactors, size: int):
    """Local head coordinates (n, size, size) of every pixel centre, as in the module docstring."""
    centres = (2.0 * np.arange(size) + 1.0) / size - 1.0
    s = f.head_size[:, None, None]
    lx = (centres[None, None, :] - HEAD_CENTER[0] - f.head_x[:, None, None]) / s
    ly = (centres[None, :, None] - HEAD_CENTER[1] - f.head_y[:, None, None]) / s
    return np.broadcast_to(lx, (f.n, size, size)), np.broadcast_to(ly, (f.n, size, size))


@pytest.mark.parametrize("size", [64, 32])
def test_shapes_dtype_and_range(size):
    sample = simulate_cats(40, size=size, seed=0)
    assert sample.images.shape == (40, size, size, 3)
    assert sample.images.dtype == np.float32
    assert sample.images.min() >= 0.0 and sample.images.max() <= 1.0
    f = sample.factors
    assert f.n == len(f) == 40
    assert f.fur_color.shape == f.eye_color.shape == f.background.shape == (40, 3)
    for name in ("head_size", "head_x", "head_y", "ear_angle"):
        assert getattr(f, name).shape == (40,)
    assert f.attributes.shape == (40, 3) and f.attributes.dtype == bool
    assert np.array_equal(f.attributes[:, ACCESSORIES.index("hat")], f.hat)
    assert np.array_equal(sample.attributes, f.attributes)
    for c in (f.fur_color, f.eye_color, f.background):
        assert c.min() >= 0.0 and c.max() <= 1.0
    regions = accessory_regions(f, size=size)
    assert set(regions) == set(ACCESSORIES)
    for region in regions.values():
        assert region.shape == (40, size, size) and region.dtype == bool


def test_seeded():
    a, b = simulate_cats(30, size=32, seed=3), simulate_cats(30, size=32, seed=3)
    assert np.array_equal(a.images, b.images)
    assert np.array_equal(a.factors.fur_color, b.factors.fur_color)
    assert np.array_equal(a.factors.attributes, b.factors.attributes)
    c = simulate_cats(30, size=32, seed=4)
    assert not np.allclose(a.images, c.images)
    rng = np.random.default_rng(3)
    assert np.array_equal(simulate_cats(30, size=32, seed=rng).images, a.images)


@pytest.mark.parametrize("size", [64, 32])
def test_an_image_depends_on_its_own_factors_only(factors, size):
    images = render_cats(factors, size)
    picked = np.arange(0, factors.n, 7)
    assert np.array_equal(render_cats(factors.take(picked), size), images[picked])
    for k in (0, 123):
        assert np.array_equal(render_cats(factors.take([k]), size)[0], images[k])


@pytest.mark.parametrize("size", [64, 32])
@pytest.mark.parametrize("name", ACCESSORIES)
def test_an_accessory_changes_its_region_only(factors, name, size):
    images = render_cats(factors, size)
    on = render_cats(factors.with_accessories(**{name: True}), size)
    off = render_cats(factors.with_accessories(**{name: False}), size)
    present = getattr(factors, name)
    # the images show the accessory iff the attribute is set
    assert np.array_equal(images[present], on[present])
    assert np.array_equal(images[~present], off[~present])
    region = accessory_regions(factors, size)[name]
    assert region.sum(axis=(1, 2)).min() > 0
    diff = np.abs(on - off).mean(axis=-1)
    assert diff[~region].max() == 0.0  # not a single pixel outside the region moves
    inside = (diff * region).sum(axis=(1, 2)) / region.sum(axis=(1, 2))
    assert inside.min() > 0.1  # and the accessory is clearly visible in every image


def test_regions_are_disjoint_and_do_not_depend_on_presence(factors):
    regions = accessory_regions(factors, 64)
    for i, a in enumerate(ACCESSORIES):
        for b in ACCESSORIES[i + 1 :]:
            assert not (regions[a] & regions[b]).any()
    bare = accessory_regions(factors.with_accessories(glasses=False, hat=False, tie=False), 64)
    for name in ACCESSORIES:
        assert np.array_equal(bare[name], regions[name])


def test_fur_colour_is_visible_on_the_forehead(factors):
    images = render_cats(factors, 64)
    lx, ly = _local_frame(factors, 64)
    patch = (np.abs(lx) < 0.08) & (np.abs(ly + 0.245) < 0.04)  # between the hat and the glasses
    assert patch.sum(axis=(1, 2)).min() >= 4
    for region in accessory_regions(factors, 64).values():
        assert not (patch & region).any()
    mean = (images * patch[..., None]).sum(axis=(1, 2)) / patch.sum(axis=(1, 2))[:, None]
    assert np.abs(mean - factors.fur_color).max() < 0.15


def test_images_vary_smoothly_with_the_pose(factors):
    # anti-aliased edges: a tiny shift moves every pixel a little (a hard edge would jump by
    # the full colour contrast for the pixels it crosses)
    images = render_cats(factors, 64)
    for field in ("head_x", "head_y", "head_size", "ear_angle"):
        moved = replace(factors, **{field: getattr(factors, field) + 1e-4})
        assert np.abs(render_cats(moved, 64) - images).max() < 0.02, field


def test_accessory_frequencies():
    for p in (0.2, 0.5):
        attributes = sample_factors(20_000, p_accessory=p, seed=1).attributes
        assert np.abs(attributes.mean(axis=0) - p).max() < 0.02
        corr = np.corrcoef(attributes.T.astype(float))
        assert np.abs(corr[np.triu_indices(3, 1)]).max() < 0.05  # independent accessories
    assert not sample_factors(500, p_accessory=0.0).attributes.any()
    assert sample_factors(500, p_accessory=1.0).attributes.all()


def test_factor_ranges():
    f = sample_factors(5000, seed=2)
    assert 0.85 <= f.head_size.min() and f.head_size.max() <= 1.1
    assert np.abs(f.head_x).max() <= 0.08 and np.abs(f.head_y).max() <= 0.06
    assert np.abs(f.ear_angle).max() <= 0.3
    # black and white cats both occur: fur brightness spans the palette
    brightness = f.fur_color.mean(axis=1)
    assert brightness.min() < 0.2 and brightness.max() > 0.85


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sample_factors(0), ValueError, "n must be an integer >= 1"),
        (lambda: simulate_cats(0), ValueError, "n must be an integer >= 1"),
        (lambda: sample_factors(2.5), TypeError, "n must be an integer"),
        (lambda: simulate_cats(4, size=8), ValueError, "size must be an integer >= 16"),
        (lambda: simulate_cats(4, size=32.0), TypeError, "size must be an integer"),
        (lambda: render_cats(sample_factors(2), size=15), ValueError, "size must be"),
        (lambda: accessory_regions(sample_factors(2), size=4), ValueError, "size must be"),
        (lambda: sample_factors(4, p_accessory=1.5), ValueError, r"p_accessory .*\[0.0, 1.0\]"),
        (lambda: simulate_cats(4, p_accessory=-0.1), ValueError, "p_accessory"),
        (lambda: sample_factors(4, seed="x"), TypeError, "seed must be an integer"),
        (lambda: simulate_cats(4, seed=1.5), TypeError, "seed must be an integer"),
        (lambda: render_cats(np.zeros((2, 3))), TypeError, "factors must be a CatFactors"),
        (lambda: sample_factors(3).with_accessories(scarf=True), ValueError, "accessories"),
    ],
)
def test_bad_input_names_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_factors_are_checked_and_frozen():
    f = sample_factors(5, seed=0)
    with pytest.raises(ValueError, match="fur_color must have shape"):
        replace(f, fur_color=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="hat must hold booleans"):
        replace(f, hat=np.full(5, 2))
    with pytest.raises(ValueError, match="background must be RGB"):
        replace(f, background=np.full((5, 3), 1.5))
    with pytest.raises(ValueError):
        f.glasses[0] = True  # read-only arrays
    assert replace(f, tie=np.array([1, 0, 1, 0, 1])).tie.dtype == bool
