# VOD Emulator: `docker build -t vod-emulator . && docker run -p 18080:18080 vod-emulator`
# The same entry point as the README (`vod-emulator serve`), SQLite in the /data volume,
# the default fixtures (packaged in the wheel as emulator/fixtures) loaded at start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package (and its dependencies, all available as wheels) from the build context;
# the sources are removed afterwards, only the installed package stays.
WORKDIR /tmp/src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY fixtures ./fixtures
RUN pip install . && cd / && rm -rf /tmp/src

# An unprivileged user owning the data directory.
RUN groupadd --system --gid 10001 vod \
    && useradd --system --uid 10001 --gid vod --home-dir /home/vod --create-home --shell /usr/sbin/nologin vod \
    && mkdir -p /data \
    && chown vod:vod /data

ENV VOD_EMULATOR_HOST=0.0.0.0 \
    VOD_EMULATOR_PORT=18080 \
    VOD_EMULATOR_DATA_DIR=/data

VOLUME ["/data"]
WORKDIR /data
USER vod
EXPOSE 18080

# Ready (200) once the fixtures are loaded; 503 while starting. No curl in slim images: Python's urllib.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('VOD_EMULATOR_PORT', '18080') + '/_emulator/health', timeout=2)"]

ENTRYPOINT ["vod-emulator"]
CMD ["serve"]
