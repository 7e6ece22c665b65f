"""Serializer pieces every API shares."""

from rest_framework import serializers


class StrictInputSerializer(serializers.Serializer):
    """Input that refuses fields it does not know: a client cannot set what it may not set."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set."] for name in unknown}
                )
        return super().to_internal_value(data)


class ErrorOutput(serializers.Serializer):
    """Every error that is not about input fields."""

    detail = serializers.CharField()
    code = serializers.CharField()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()
