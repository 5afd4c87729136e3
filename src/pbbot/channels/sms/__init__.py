"""SMS through Twilio: parse inbound webhooks, render and send outbound texts."""
