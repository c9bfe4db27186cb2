"""Procedural cat faces with known factors: the stand-in for the paper's image-editing figures.

Figs. 6–7 of the paper edit cat images (generated with FLUX) through a GAN whose latents are
edited with task-specific masks; the tasks are "wear glasses", "wear a hat" and "wear a tie".
No image-generation model can run here, so this module draws cat faces itself, with the ground
truth of every factor, for a small CPU GAN to be trained on.

Identity factors (:class:`~specialist.simulate.cats.factors.CatFactors`, drawn by :func:`~specialist.simulate.cats.factors.sample_factors`)
-------------------------------------------------------------------------------------------------------------------------------------------
* ``fur_color``: one of six cat colours (:data:`~specialist.simulate.cats.factors.FUR_PALETTE`: ginger, grey, black, cream, brown
  tabby, white), its brightness scaled by ``U(0.9, 1.1)`` and every channel jittered by
  ``N(0, 0.03²)``; grey, black and brown tabby are the *dark* colours (:data:`~specialist.simulate.cats.factors.DARK_FUR`);
* ``eye_color``: one of four iris colours (:data:`~specialist.simulate.cats.factors.EYE_PALETTE`: green, amber, blue, copper),
  jittered the same way;
* ``head_size`` ``~ U(0.85, 1.1)``, ``head_x`` ``~ U(-0.08, 0.08)``, ``head_y``
  ``~ U(-0.06, 0.06)`` (the pose: scale and position of the whole cat) and ``ear_angle``
  ``~ U(-0.3, 0.3)`` radians (positive spreads the ears outwards);
* ``background``: a muted colour, hue ``U(0, 1)``, saturation ``U(0.15, 0.45)`` and value
  ``U(0.55, 0.95)``.

Accessories and their attributes
--------------------------------
Each accessory (:data:`~specialist.simulate.cats.factors.ACCESSORIES`) is present with probability ``p_accessory`` and carries
attributes (:data:`~specialist.simulate.cats.factors.ACCESSORY_ATTRIBUTES`), drawn for *every* cat, worn or not (they are only
visible when the accessory is present), each ``U(0, 1)`` except the hat's offset ``U(-1, 1)``:

* **glasses**: ``glasses_size`` (rim radius 0.115 to 0.165 in the head's frame) and
  ``glasses_hue`` (frame colour, a saturated hue from green-cyan through blue to magenta);
  the glasses have rims, a bridge and arms but no lenses, and the rims lie outside the iris
  (at 32 pixels their anti-aliased edge touches it), so glasses do not hide the eye colour;
* **hat**: ``hat_hue`` (crown colour from blue through purple to red; the brim is a darker
  shade, the band yellow), ``hat_height`` (crown height 0.20 to 0.45) and ``hat_offset``
  (the whole hat shifted sideways by up to 0.06); a small top hat between the ears, which
  it barely overlaps;
* **tie**: ``tie_hue`` (from green to yellow; the knot is a darker shade) and ``tie_length``
  (the blade's tip 0.70 to 0.95 below the head's centre).

So a task "wear accessory k" is a *vector*: its presence and, when present, its attributes.

Correlated factors (``correlation = c`` in [0, 1])
--------------------------------------------------
The accessories are drawn first, independently. Then, for each accessory, with probability
``c`` (independently per cat and accessory) an identity factor *follows* it: a cat with a hat
gets a dark fur colour and a cat without one a light colour; a cat with glasses gets blue eyes
and one without them green, amber or copper eyes; a cat with a tie gets a head size in the
upper half of its range and one without in the lower half. Otherwise (probability ``1 - c``)
the factor is drawn as above, independently. ``c = 0`` makes every factor independent; with
``p_accessory = 0.5`` the marginal distributions do not depend on ``c`` except for the eye
colour (blue eyes become more frequent). Training sets may be correlated; test sets use the
same generator with ``c = 0``.

Geometry
--------
Images live in normalised coordinates ``(x, y) ∈ [-1, 1]²``, ``x`` to the right and ``y``
*downwards*; pixel ``(row i, column j)`` of a ``size × size`` image has its centre at
``x = (2j + 1) / size - 1``, ``y = (2i + 1) / size - 1``. Every shape is defined in the head's
*local* frame ``(lx, ly) = ((x - cx) / s, (y - cy) / s)`` with ``(cx, cy) = HEAD_CENTER +
(head_x, head_y)`` and ``s = head_size``; the head is the ellipse of radii
:data:`~specialist.simulate.cats.factors.HEAD_RADII` around the local origin. Because shapes are defined in normalised units,
any ``size >= 16`` works (32 for fast profiles, 64 by default).

Rendering (:func:`~specialist.simulate.cats.drawing.render_cats`)
-----------------------------------------------------------------
Shapes are rasterised by :mod:`specialist.simulate.raster`: a signed distance per shape, a
one-pixel anti-aliasing ramp, and alpha compositing in order

background (vertical gradient) → body → ears (with a pink inner triangle) → head (fur colour,
darkened by at most 12% towards its rim) → lighter muzzle → eyes (dark rim, iris, slit pupil,
highlight) → pink nose → mouth (dark) → whiskers (light on dark fur, dark on light fur) →
glasses → tie → hat.

Every layer is evaluated in a per-image window around its bounding box in the local frame,
grown by one pixel, and its coverage is cut to that grown box, so an image depends on its own
factors only (not on which other images share its chunk). The accessories' places are
disjoint for every value of their attributes (glasses around the eyes, hat above the
forehead, tie below the chin). An absent accessory is simply not composited, so switching it
on or off changes exactly the pixels of its region (:func:`~specialist.simulate.cats.drawing.accessory_regions`: where some part
of it has positive coverage) and nothing else, and changing its attributes changes pixels of
its old and new regions only. :func:`~specialist.simulate.cats.drawing.accessory_envelope` covers every place an accessory can
take on a given cat.

Backs
-----
fig6_gan_edits, tab_edit_specificity
"""

from __future__ import annotations

from specialist.simulate.cats.drawing import (
    accessory_envelope,
    accessory_regions,
    render_cats,
    simulate_cats,
)
from specialist.simulate.cats.factors import (
    ACCESSORIES,
    ACCESSORY_ATTRIBUTES,
    ATTRIBUTE_RANGES,
    COLOR_FACTORS,
    DARK_FUR,
    EYE_NAMES,
    EYE_PALETTE,
    FUR_NAMES,
    FUR_PALETTE,
    GLASSES_EYE,
    HEAD_CENTER,
    HEAD_RADII,
    HEAD_SIZE_RANGE,
    IDENTITY_FACTORS,
    MIN_SIZE,
    CatFactors,
    CatSample,
    sample_factors,
)

__all__ = [
    "ACCESSORIES",
    "ACCESSORY_ATTRIBUTES",
    "ATTRIBUTE_RANGES",
    "COLOR_FACTORS",
    "CatFactors",
    "CatSample",
    "DARK_FUR",
    "EYE_NAMES",
    "EYE_PALETTE",
    "FUR_NAMES",
    "FUR_PALETTE",
    "GLASSES_EYE",
    "HEAD_CENTER",
    "HEAD_RADII",
    "HEAD_SIZE_RANGE",
    "IDENTITY_FACTORS",
    "MIN_SIZE",
    "accessory_envelope",
    "accessory_regions",
    "render_cats",
    "sample_factors",
    "simulate_cats",
]
