# The pack with the exact Python packages of requirements-runtime.lock (Freqtrade included) on
# CPython 3.11, the version the lock is made for and CI tests. The official freqtrade image runs
# another Python, which the lock's wheels would not fit. Stage 1 builds the flowbook Rust wheel
# with a pinned toolchain and the locked maturin; stage 2 installs the lock (hashes checked),
# the wheel and the pack, without resolving anything.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM rust:1.95.0-slim-bookworm AS wheel
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock scripts/lock.py /build/
COPY rust_ext /build/rust_ext
RUN cd /build && python3 lock.py pick maturin > maturin.lock \
    && pip3 install --break-system-packages --require-hashes --no-deps -r maturin.lock \
    && cd rust_ext && maturin build --release --out /wheels

FROM ${PYTHON_IMAGE}
ENV LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 FT_APP_ENV=docker \
    PATH=/home/ftuser/.local/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 sqlite3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd -u 1000 -U -m -s /bin/bash ftuser && mkdir /freqtrade && chown ftuser:ftuser /freqtrade
WORKDIR /freqtrade
USER ftuser
COPY --chown=ftuser:ftuser requirements-runtime.lock /opt/ftpack/
RUN pip install --user --no-cache-dir --require-hashes --no-deps -r /opt/ftpack/requirements-runtime.lock
COPY --from=wheel /wheels /tmp/wheels
COPY --chown=ftuser:ftuser pyproject.toml README.md LICENSE /opt/ftpack/
COPY --chown=ftuser:ftuser ftpack /opt/ftpack/ftpack
COPY --chown=ftuser:ftuser risk_protections /opt/ftpack/risk_protections
RUN pip install --user --no-cache-dir --no-deps --no-build-isolation /tmp/wheels/*.whl /opt/ftpack \
    && pip check && freqtrade install-ui
ENTRYPOINT ["freqtrade"]
CMD ["trade"]
