# baybrief: one bot instance. Run several of them on one PostgreSQL behind a proxy (compose.yaml).
#
# Slim Python 3.11, a non-root user, exactly the versions constraints.txt pins (pip -c: every
# package installed is one the file pins; tests/test_container.py checks the file covers them
# all), the fact base and the articles baked in (compose.yaml mounts ./facts over them, so a
# /reload reaches every instance), and a health check that asks the bot's own /healthz.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --create-home --home-dir /home/baybrief \
        --shell /usr/sbin/nologin baybrief \
    && mkdir -p /app/data && chown baybrief:baybrief /app/data

WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install -c constraints.txt . && pip check
COPY facts ./facts
COPY seeds ./seeds

USER baybrief
ENV BAYBRIEF_FACTS_DIR=/app/facts \
    BAYBRIEF_SEEDS_DIR=/app/seeds \
    BAYBRIEF_DB=/app/data/baybrief.sqlite3 \
    BAYBRIEF_LISTEN=0.0.0.0:8080
VOLUME ["/app/data"]
EXPOSE 8080

# /healthz is 503 until the facts and the store are loaded, and while stopping.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.health"]
# SIGTERM (docker stop) finishes the briefings in flight within 5 s and exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["baybrief"]
CMD ["run"]
