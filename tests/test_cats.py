"""The procedural cats: shapes, seeds, accessories and their attributes confined to exact
regions, correlated training factors, visible fur, errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from specialist.simulate.cats import (
    ACCESSORIES,
    ACCESSORY_ATTRIBUTES,
    ATTRIBUTE_RANGES,
    DARK_FUR,
    FUR_PALETTE,
    GLASSES_EYE,
    HEAD_CENTER,
    HEAD_SIZE_RANGE,
    IDENTITY_FACTORS,
    CatFactors,
    accessory_envelope,
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


def _redrawn_attributes(f: CatFactors, seed: int, names=ACCESSORIES) -> CatFactors:
    """``f`` with the attributes of the accessories ``names`` drawn afresh."""
    rng = np.random.default_rng(seed)
    fields = [a for name in names for a in ACCESSORY_ATTRIBUTES[name]]
    return f.with_accessories(**{a: rng.uniform(*ATTRIBUTE_RANGES[a], f.n) for a in fields})


@pytest.mark.parametrize("size", [64, 32])
def test_shapes_dtype_and_range(size):
    sample = simulate_cats(40, size=size, seed=0)
    assert sample.images.shape == (40, size, size, 3)
    assert sample.images.dtype == np.float32
    assert sample.images.min() >= 0.0 and sample.images.max() <= 1.0
    f = sample.factors
    assert f.n == len(f) == 40
    assert f.fur_color.shape == f.eye_color.shape == f.background.shape == (40, 3)
    for name in ("head_size", "head_x", "head_y", "ear_angle", *ATTRIBUTE_RANGES):
        assert getattr(f, name).shape == (40,)
    for name, (lo, hi) in ATTRIBUTE_RANGES.items():
        assert lo <= getattr(f, name).min() and getattr(f, name).max() <= hi
    assert f.attributes.shape == (40, 3) and f.attributes.dtype == bool
    assert np.array_equal(f.attributes[:, ACCESSORIES.index("hat")], f.hat)
    assert np.array_equal(sample.attributes, f.attributes)
    values = sample.task_values
    assert [v.shape for v in values] == [(40, len(ACCESSORY_ATTRIBUTES[a])) for a in ACCESSORIES]
    assert np.array_equal(values[1][:, 0], f.hat_hue)
    assert sum(f.identity(g).shape[1] for g in IDENTITY_FACTORS) == 13
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
def test_an_accessory_and_its_attributes_change_its_region_only(factors, name, size):
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
    # and the accessory is visible in every image: on average over its region (its
    # anti-aliased rim included), and strongly in some channel at its most changed pixel
    assert inside.min() > 0.05 and np.median(inside) > 0.12
    assert np.abs(on - off).max(axis=-1).max(axis=(1, 2)).min() > 0.2
    # other attribute values: the changes stay inside the union of the two regions
    other = _redrawn_attributes(factors, 1, [name]).with_accessories(**{name: True})
    moved = np.abs(render_cats(other, size) - on).mean(axis=-1)
    union = region | accessory_regions(other, size)[name]
    assert moved[~union].max() == 0.0
    assert (moved > 0.05).any(axis=(1, 2)).mean() > 0.9  # the attributes are visible


def test_regions_are_disjoint_for_any_attributes_and_do_not_depend_on_presence(factors):
    for seed in (0, 1):
        f = _redrawn_attributes(factors, seed)
        regions = accessory_regions(f, 64)
        for i, a in enumerate(ACCESSORIES):
            for b in ACCESSORIES[i + 1 :]:
                assert not (regions[a] & regions[b]).any()
    bare = accessory_regions(factors.with_accessories(glasses=False, hat=False, tie=False), 64)
    for name, region in accessory_regions(factors, 64).items():
        assert np.array_equal(bare[name], region)


@pytest.mark.parametrize("size", [64, 32])
def test_the_envelope_holds_every_version_of_the_accessory(factors, size):
    for name in ACCESSORIES:
        envelope = accessory_envelope(factors, name, size)
        for seed in range(3):
            region = accessory_regions(_redrawn_attributes(factors, seed), size)[name]
            assert not (region & ~envelope).any()
        assert envelope.mean() < 0.25  # and it is not the whole image


def test_the_perfect_edit_takes_the_donors_attributes(factors):
    recipients, donors = factors.take(np.arange(0, 10)), factors.take(np.arange(10, 20))
    for name in ACCESSORIES:
        edited = recipients.with_accessory_from(donors, name)
        assert getattr(edited, name).all()
        assert np.array_equal(edited.accessory_values(name), donors.accessory_values(name))
        for other in ACCESSORIES:
            if other != name:
                assert np.array_equal(getattr(edited, other), getattr(recipients, other))
        for group in IDENTITY_FACTORS:
            assert np.array_equal(edited.identity(group), recipients.identity(group))
    with pytest.raises(ValueError, match="donor must describe 10 cats"):
        recipients.with_accessory_from(donors.take(np.arange(3)), "hat")
    with pytest.raises(ValueError, match="name must be one of"):
        recipients.with_accessory_from(donors, "scarf")


def test_fur_colour_is_visible_on_the_forehead(factors):
    images = render_cats(factors, 64)
    lx, ly = _local_frame(factors, 64)
    patch = (np.abs(lx) < 0.08) & (np.abs(ly + 0.29) < 0.04)  # between the hat and the glasses
    assert patch.sum(axis=(1, 2)).min() >= 4
    worn = factors.with_accessories(glasses=True, hat=True, tie=True)
    for region in accessory_regions(worn, 64).values():
        assert not (patch & region).any()
    mean = (images * patch[..., None]).sum(axis=(1, 2)) / patch.sum(axis=(1, 2))[:, None]
    assert np.abs(mean - factors.fur_color).max() < 0.15


def test_images_vary_smoothly_with_the_pose_and_the_attributes(factors):
    # anti-aliased edges: a tiny shift moves every pixel a little (a hard edge would jump by
    # the full colour contrast for the pixels it crosses)
    f = factors.with_accessories(glasses=True, hat=True, tie=True)
    images = render_cats(f, 64)
    for field in ("head_x", "head_y", "head_size", "ear_angle", "glasses_size", "hat_height",
                  "hat_offset", "tie_length"):  # fmt: skip
        value = getattr(f, field) + 1e-4
        if field in ATTRIBUTE_RANGES:
            value = np.clip(value, *ATTRIBUTE_RANGES[field])
        moved = replace(f, **{field: value})
        assert np.abs(render_cats(moved, 64) - images).max() < 0.02, field


def test_accessory_frequencies_and_independence():
    for p in (0.2, 0.5):
        attributes = sample_factors(20_000, p_accessory=p, seed=1).attributes
        assert np.abs(attributes.mean(axis=0) - p).max() < 0.02
        corr = np.corrcoef(attributes.T.astype(float))
        assert np.abs(corr[np.triu_indices(3, 1)]).max() < 0.05  # independent accessories
    assert not sample_factors(500, p_accessory=0.0).attributes.any()
    assert sample_factors(500, p_accessory=1.0).attributes.all()


def _links(f: CatFactors) -> np.ndarray:
    """Correlation of each accessory with the identity factor that follows it."""
    dark_colours = FUR_PALETTE[list(DARK_FUR)]
    dark = np.linalg.norm(f.fur_color[:, None] - dark_colours[None], axis=2).min(axis=1) < 0.2
    blue = np.linalg.norm(f.eye_color - (0.35, 0.62, 0.92), axis=1) < 0.2
    large = f.head_size > np.mean(HEAD_SIZE_RANGE)
    pairs = [(f.glasses, blue), (f.hat, dark), (f.tie, large)]
    return np.array([np.corrcoef(a.astype(float), b.astype(float))[0, 1] for a, b in pairs])


def test_correlated_training_factors():
    assert GLASSES_EYE == 2
    independent = sample_factors(20_000, correlation=0.0, seed=2)
    correlated = sample_factors(20_000, correlation=0.8, seed=2)
    assert np.abs(_links(independent)).max() < 0.03
    links = _links(correlated)
    assert links.min() > 0.45, links  # hats on dark cats, glasses with blue eyes, big tie wearers
    assert np.abs(_links(sample_factors(20_000, correlation=1.0, seed=2)) - 1).max() < 0.45
    # the accessories keep their frequency and their attributes stay independent
    assert np.abs(correlated.attributes.mean(axis=0) - 0.5).max() < 0.02
    values = np.column_stack(correlated.task_values)
    corr = np.corrcoef(np.column_stack([values, correlated.attributes]).T)
    assert np.abs(corr[np.triu_indices(corr.shape[0], 1)]).max() < 0.05


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
        (lambda: sample_factors(4, correlation=1.2), ValueError, r"correlation .*\[0.0, 1.0\]"),
        (lambda: simulate_cats(4, correlation=-0.5), ValueError, "correlation"),
        (lambda: sample_factors(4, seed="x"), TypeError, "seed must be an integer"),
        (lambda: simulate_cats(4, seed=1.5), TypeError, "seed must be an integer"),
        (lambda: render_cats(np.zeros((2, 3))), TypeError, "factors must be a CatFactors"),
        (lambda: sample_factors(3).with_accessories(scarf=True), ValueError, "accessories"),
        (lambda: sample_factors(3).accessory_values("scarf"), ValueError, "name must be one of"),
        (lambda: sample_factors(3).identity("tail"), ValueError, "group must be one of"),
        (lambda: accessory_envelope(sample_factors(2), "scarf"), ValueError, "name must be"),
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
    with pytest.raises(ValueError, match=r"hat_height must be in \[0, 1\]"):
        f.with_accessories(hat_height=1.5)
    with pytest.raises(ValueError, match=r"hat_offset must be in \[-1, 1\]"):
        f.with_accessories(hat_offset=-2.0)
    with pytest.raises(TypeError, match="tie_length must hold numbers"):
        f.with_accessories(tie_length="long")
    with pytest.raises(ValueError):
        f.glasses[0] = True  # read-only arrays
    assert replace(f, tie=np.array([1, 0, 1, 0, 1])).tie.dtype == bool
