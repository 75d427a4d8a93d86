"""MQTT 3.1.1 persistent session: a clean_session=False subscriber at QoS 1 disconnects, messages
are published meanwhile, and the reconnected subscriber gets them without subscribing again."""
import paho.mqtt.client as mqtt

from common import Peer, check, port, run

TOPIC = "paho/persistent"
COUNT = 5


def main():
    broker = port()
    sub = Peer("paho-persistent-sub", mqtt.MQTTv311, clean_session=False)
    flags = sub.connect(broker)
    check(flags.get("session present") == 0, "a first connection must not find a session")
    sub.subscribe(TOPIC, 1)
    sub.disconnect()

    pub = Peer("paho-persistent-pub", mqtt.MQTTv311, clean_session=True)
    pub.connect(broker)
    for k in range(COUNT):
        pub.publish(TOPIC, "while away %d" % k, 1)
    pub.disconnect()

    sub = Peer("paho-persistent-sub", mqtt.MQTTv311, clean_session=False)
    flags = sub.connect(broker)
    check(flags.get("session present") == 1, "the session was not resumed: %s" % flags)
    for k in range(COUNT):
        m = sub.next_message("message %d published while away" % k)
        check(m.topic == TOPIC, "wrong topic %s" % m.topic)
        check(m.payload == b"while away %d" % k, "message %d is %r" % (k, m.payload))
        check(m.qos == 1, "message %d arrived at QoS %d" % (k, m.qos))
    sub.disconnect()

    # Clean up: a clean session ends the stored one.
    cleaner = Peer("paho-persistent-sub", mqtt.MQTTv311, clean_session=True)
    cleaner.connect(broker)
    cleaner.disconnect()


run(main)
