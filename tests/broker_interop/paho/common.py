"""Helpers shared by the paho-mqtt scripts of the broker interop tests.

Each script takes the broker's port as its only argument, exits 0 on success, and prints what
went wrong (then exits 1) otherwise. Every wait is bounded by TIMEOUT seconds.
"""
import os
import queue
import sys
import threading

import paho.mqtt.client as mqtt

TIMEOUT = 10.0
HOST = "127.0.0.1"


def port():
    if len(sys.argv) != 2:
        fail("usage: %s PORT" % sys.argv[0])
    return int(sys.argv[1])


def fail(message):
    print("FAILED: " + message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Peer:
    """A paho client on its own network thread, with its events in queues."""

    def __init__(self, client_id, protocol=mqtt.MQTTv311, clean_session=None, websocket=False,
                 cafile=None):
        """websocket: MQTT over WebSocket on path /mqtt; cafile: TLS (wss or mqtts) trusting
        that CA, with the host name checked."""
        transport = "websockets" if websocket else "tcp"
        if protocol == mqtt.MQTTv5:
            self.client = mqtt.Client(client_id=client_id, protocol=protocol, transport=transport)
        else:
            self.client = mqtt.Client(client_id=client_id, clean_session=clean_session,
                                      protocol=protocol, transport=transport)
        if websocket:
            self.client.ws_set_options(path="/mqtt")
        if cafile:
            self.client.tls_set(ca_certs=cafile)
        self.client.reconnect_delay_set(60, 60)  # a lost connection stays lost
        self.protocol = protocol
        self.name = client_id
        self.connacks = queue.Queue()
        self.subacks = queue.Queue()
        self.messages = queue.Queue()
        self.published = queue.Queue()
        self.disconnects = queue.Queue()
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda c, u, mid, granted, *rest: self.subacks.put(granted)
        self.client.on_message = lambda c, u, m: self.messages.put(m)
        self.client.on_publish = lambda c, u, mid: self.published.put(mid)
        self.client.on_disconnect = lambda c, u, rc, *rest: self.disconnects.put(rc)

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connacks.put((flags, rc))

    def connect(self, port, **kwargs):
        """Connects and waits for CONNACK; returns its flags (session present...)."""
        self.client.connect(HOST, port, keepalive=30, **kwargs)
        self.client.loop_start()
        flags, rc = self.wait(self.connacks, "CONNACK")
        check(getattr(rc, "value", rc) == 0, "%s: CONNACK refused the connection: %s" % (self.name, rc))
        return flags

    def subscribe(self, topic, qos, **kwargs):
        self.client.subscribe(topic, qos, **kwargs)
        granted = self.wait(self.subacks, "SUBACK for " + topic)
        code = getattr(granted[0], "value", granted[0])  # a ReasonCodes object in 5.0
        check(code == qos, "%s: SUBACK granted %s, not QoS %d" % (self.name, granted, qos))

    def publish(self, topic, payload, qos, **kwargs):
        """Publishes and, for QoS 1 and 2, waits until the flow completed."""
        info = self.client.publish(topic, payload, qos, **kwargs)
        check(info.rc == mqtt.MQTT_ERR_SUCCESS, "%s: publish failed: %s" % (self.name, info.rc))
        info.wait_for_publish(TIMEOUT)
        check(info.is_published(), "%s: no acknowledgement for %s" % (self.name, payload))

    def next_message(self, what):
        return self.wait(self.messages, what)

    def wait(self, events, what):
        try:
            return events.get(timeout=TIMEOUT)
        except queue.Empty:
            fail("%s: no %s within %.0f s" % (self.name, what, TIMEOUT))

    def disconnect(self):
        self.client.disconnect()
        self.wait(self.disconnects, "end of connection after DISCONNECT")
        self.client.loop_stop()


def run(main):
    """Runs main() with a watchdog: a script never outlives 3 x TIMEOUT."""
    def expire():
        print("FAILED: still running after %.0f s" % (3 * TIMEOUT), flush=True)
        os._exit(2)

    watchdog = threading.Timer(3 * TIMEOUT, expire)
    watchdog.daemon = True
    watchdog.start()
    main()
    watchdog.cancel()
    print("ok", flush=True)
