"""MQTT 5.0 properties through the broker: user properties in order (a repeated key included),
correlation data, response topic, content type, payload format indicator and message expiry
interval (present, at most what was sent), plus the subscription identifier; and topic aliases
from the publisher, resolved by the broker (set, used with an empty topic, remapped)."""
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from common import Peer, check, port, run

TOPIC = "paho/v5/properties"
USER = [("first", "1"), ("second", "2"), ("first", "again"), ("utf-8", "caf\u00e9")]


def main():
    broker = port()
    sub = Peer("paho-v5-sub", mqtt.MQTTv5)
    sub.connect(broker)
    subscribe_props = Properties(PacketTypes.SUBSCRIBE)
    subscribe_props.SubscriptionIdentifier = 42
    sub.subscribe(TOPIC, 1, properties=subscribe_props)

    pub = Peer("paho-v5-pub", mqtt.MQTTv5)
    pub.connect(broker)
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = USER
    props.CorrelationData = b"\x00request-7\xff"
    props.ResponseTopic = "paho/v5/reply"
    props.ContentType = "application/json"
    props.PayloadFormatIndicator = 1
    props.MessageExpiryInterval = 120
    pub.publish(TOPIC, b'{"coffee": true}', 1, properties=props)

    m = sub.next_message("message with properties")
    got = m.properties
    check(m.payload == b'{"coffee": true}', "payload %r" % m.payload)
    check(getattr(got, "UserProperty", None) == USER,
          "user properties %r, sent %r" % (getattr(got, "UserProperty", None), USER))
    check(getattr(got, "CorrelationData", None) == b"\x00request-7\xff",
          "correlation data %r" % getattr(got, "CorrelationData", None))
    check(getattr(got, "ResponseTopic", None) == "paho/v5/reply",
          "response topic %r" % getattr(got, "ResponseTopic", None))
    check(getattr(got, "ContentType", None) == "application/json",
          "content type %r" % getattr(got, "ContentType", None))
    check(getattr(got, "PayloadFormatIndicator", None) == 1,
          "payload format indicator %r" % getattr(got, "PayloadFormatIndicator", None))
    expiry = getattr(got, "MessageExpiryInterval", None)
    check(expiry is not None and 0 < expiry <= 120, "message expiry interval %r" % expiry)
    ids = getattr(got, "SubscriptionIdentifier", None)
    check(ids == [42], "subscription identifiers %r" % ids)
    check(not hasattr(got, "TopicAlias"), "a topic alias the subscriber never allowed")

    # Topic aliases towards the broker (it allows 10): set 1, use it, remap it, use it again.
    sub.subscribe("paho/v5/alias/+", 1)
    sent = (("paho/v5/alias/a", b"sets 1"), ("", b"uses 1"), ("paho/v5/alias/b", b"remaps 1"),
            ("", b"uses 1 again"))
    for topic, payload in sent:
        alias = Properties(PacketTypes.PUBLISH)
        alias.TopicAlias = 1
        pub.publish(topic, payload, 1, properties=alias)
    expected = (("paho/v5/alias/a", b"sets 1"), ("paho/v5/alias/a", b"uses 1"),
                ("paho/v5/alias/b", b"remaps 1"), ("paho/v5/alias/b", b"uses 1 again"))
    for topic, payload in expected:
        m = sub.next_message("message sent with a topic alias")
        check((m.topic, m.payload) == (topic, payload),
              "got %s %r, expected %s %r" % (m.topic, m.payload, topic, payload))
        check(not hasattr(m.properties, "TopicAlias"), "the alias was forwarded")
    pub.disconnect()
    sub.disconnect()


run(main)
