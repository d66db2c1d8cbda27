FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# A CJK font, so the admin dashboard's charts draw their Chinese labels.
RUN apt-get update && apt-get install -y --no-install-recommends fontconfig fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
# What the service runs and nothing else (no test, lint or benchmark tools, no embedded PostgreSQL).
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Settings refuse to load with DEBUG off and no gateway named; collecting files needs neither.
RUN SECRET_KEY=build PAYMENT_PROVIDER=sandbox python manage.py collectstatic --noinput --verbosity 0
EXPOSE 8000
CMD ["gunicorn", "marketplace.asgi:application", "-k", "marketplace.server.UvicornWorker", "--bind", "0.0.0.0:8000"]
