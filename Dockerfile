# The pack on the official Freqtrade image. Stage 1 builds the flowbook Rust wheel (abi3, so it
# fits the image's Python); stage 2 installs it and the pack next to the image's Freqtrade.
ARG FREQTRADE_VERSION=2026.9

FROM rust:1-slim-bookworm AS wheel
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip \
    && rm -rf /var/lib/apt/lists/* \
    && pip3 install --break-system-packages "maturin>=1.7,<2"
COPY rust_ext /build/rust_ext
RUN cd /build/rust_ext && maturin build --release --out /wheels

FROM freqtradeorg/freqtrade:${FREQTRADE_VERSION}_freqai
COPY --from=wheel /wheels /tmp/wheels
COPY --chown=ftuser:ftuser pyproject.toml README.md /opt/ftpack/
COPY --chown=ftuser:ftuser ftpack /opt/ftpack/ftpack
COPY --chown=ftuser:ftuser risk_protections /opt/ftpack/risk_protections
RUN pip install --user --no-cache-dir /tmp/wheels/*.whl /opt/ftpack
