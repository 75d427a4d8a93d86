#!/usr/bin/python3
"""A small thermostat, the component under test of ../thermostat.yaml.

Subscribes to <prefix>home/temperature and publishes "on" to <prefix>home/heater when the
temperature is below the setpoint, "off" otherwise. Prints "thermostat ready" once its
subscription is acknowledged. Uses paho-mqtt 1.6 (Debian's python3-paho-mqtt).

Usage: thermostat.py [url [prefix]]   or   thermostat.py [host [port [prefix]]]
  url: mqtt://host:port, mqtts://host:port (TLS), ws://host:port/path (WebSocket) or
  wss://host:port/path; host, port, prefix default to $MQTT_HOST (localhost), $MQTT_PORT (1883),
  $TOPIC_PREFIX (""). With TLS the broker's certificate is checked against $MQTT_CAFILE (the
  system's CAs when empty).
  $SETPOINT sets the setpoint in degrees (default 20). SIGTERM or SIGINT stops it cleanly.
"""

import os
import signal
import sys
import urllib.parse

import paho.mqtt.client as mqtt


def setting(index, variable, default):
    if len(sys.argv) > index:
        return sys.argv[index]
    return os.environ.get(variable, default)


def log(text):
    print(text, flush=True)


def main():
    host = setting(1, "MQTT_HOST", "localhost")
    transport, path, tls = "tcp", None, False
    if "://" in host:
        url = urllib.parse.urlsplit(host)
        default_ports = {"mqtt": 1883, "mqtts": 8883, "ws": 80, "wss": 443}
        if url.scheme not in default_ports:
            log("unsupported broker URL %s (mqtt://, mqtts://, ws:// or wss://)" % host)
            return 2
        transport = "websockets" if url.scheme in ("ws", "wss") else "tcp"
        tls = url.scheme in ("mqtts", "wss")
        path = url.path or "/mqtt"
        host, port = url.hostname, url.port or default_ports[url.scheme]
        prefix = setting(2, "TOPIC_PREFIX", "")
    else:
        port = int(setting(2, "MQTT_PORT", "1883"))
        prefix = setting(3, "TOPIC_PREFIX", "")
    setpoint = float(os.environ.get("SETPOINT", "20"))
    temperature_topic = prefix + "home/temperature"
    heater_topic = prefix + "home/heater"
    state = {"ready": False, "stopping": False}

    client = mqtt.Client(client_id="thermostat-%d" % os.getpid(), protocol=mqtt.MQTTv311,
                         transport=transport)
    if path is not None and transport == "websockets":
        client.ws_set_options(path=path)
    if tls:
        client.tls_set(ca_certs=os.environ.get("MQTT_CAFILE") or None)

    def on_connect(c, userdata, flags, rc):
        if rc != 0:
            log("connect refused: " + mqtt.connack_string(rc))
            c.disconnect()
            return
        c.subscribe(temperature_topic, qos=1)

    def on_subscribe(c, userdata, mid, granted_qos):
        if not state["ready"]:
            state["ready"] = True
            log("thermostat ready (setpoint %g)" % setpoint)

    def on_message(c, userdata, message):
        text = message.payload.decode("utf-8", errors="replace")
        try:
            temperature = float(text)
        except ValueError:
            log("ignored temperature %r: not a number" % text)
            return
        heater = "on" if temperature < setpoint else "off"
        c.publish(heater_topic, heater, qos=1)
        log("temperature %g: heater %s" % (temperature, heater))

    def stop(signum, frame):
        state["stopping"] = True
        client.disconnect()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    try:
        client.connect(host, port, keepalive=30)
    except OSError as error:
        log("cannot connect to %s:%d: %s" % (host, port, error))
        return 1
    client.loop_forever()
    if state["stopping"]:
        log("thermostat stopped")
        return 0
    log("connection lost")
    return 1


if __name__ == "__main__":
    sys.exit(main())
