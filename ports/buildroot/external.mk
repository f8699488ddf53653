include $(sort $(wildcard $(BR2_EXTERNAL_PARALLAX_PATH)/package/*/*.mk))
