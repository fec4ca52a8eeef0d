# dondoc's image: `dondoc serve` (webhooks, dashboard, download links, the jobs) as an
# unprivileged user. Build from the repository's root: docker build -t dondoc .
# Settings come from the environment (deploy/.env.example); none is baked in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src
# The dependencies first, in a layer of their own that a change of code does not rebuild.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -c constraints.txt -r requirements.txt
COPY README.md ./
COPY bot bot
COPY web web
COPY handlers handlers
COPY scheduler scheduler
COPY zalo zalo
COPY render render
COPY app app
COPY db db
COPY core core
COPY devtools devtools
# dondoc itself (no dev extras), then the sources go: the package is in site-packages.
RUN pip install -c constraints.txt . \
    && cd / && rm -rf /src

# Its own user, and its data folder (the SQLite file when there is no PostgreSQL, evidence);
# the folder is also where it runs (a RUN after /src went needs a folder that exists).
WORKDIR /var/lib/dondoc
RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/dondoc \
        --shell /usr/sbin/nologin dondoc \
    && install -d -o dondoc -g dondoc -m 0700 /var/lib/dondoc /var/lib/dondoc/evidence
USER dondoc
ENV WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    EVIDENCE_DIR=/var/lib/dondoc/evidence \
    MPLCONFIGDIR=/tmp/matplotlib

EXPOSE 8080
# /livez: 503 when this worker does not serve or its database is unreachable (README); not
# /healthz, whose 503 for a reply waiting over 10 minutes is every worker's at once.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEB_PORT', '8080') + '/livez', timeout=4)"]
ENTRYPOINT ["dondoc"]
CMD ["serve"]
