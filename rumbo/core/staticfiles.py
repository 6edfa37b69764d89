"""Static files as production serves them: WhiteNoise's compressed, hashed names, without
rewriting source-map comments. The vendored libraries point at `.map` files that are not shipped
(they are only for debugging the libraries themselves), and Django's manifest storage would
refuse to collect a file that names a missing one."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class RumboStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    # CSS url(...) and @import are still rewritten to hashed names; only sourceMappingURL is left
    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
                (r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""", """@import url("%(url)s")"""),
            ),
        ),
    )
    # the un-hashed copies are not needed once the manifest maps every name
    keep_intermediate_files = False
