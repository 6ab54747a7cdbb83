"""The dock's panels, one widget per module: each owns its layout and talks to the backend
through tasks (:mod:`..tasks`); the dock composes them."""
