--
-- PostgreSQL database dump
--

\restrict pEpbfELyN7EubHedjiorfLMgrWhTPTd8gFU35QayVJaj0hbWfdbDAK2MNouIeMN

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: epochs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.epochs (
    run_id bigint NOT NULL,
    epoch integer NOT NULL,
    train_loss double precision,
    train_accuracy double precision,
    val_loss double precision,
    val_accuracy double precision,
    lr double precision,
    seconds double precision
);


--
-- Name: fcnlab_schema; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.fcnlab_schema (
    version integer NOT NULL
);


--
-- Name: misclassified; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.misclassified (
    run_id bigint NOT NULL,
    test_index integer NOT NULL,
    true_class integer NOT NULL,
    predicted_class integer NOT NULL
);


--
-- Name: sweeps; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sweeps (
    name text NOT NULL,
    spec_text text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: trials; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.trials (
    run_id bigint NOT NULL,
    trial_id text NOT NULL,
    sweep text,
    point text NOT NULL,
    repeat integer NOT NULL,
    seed bigint NOT NULL,
    config_json text NOT NULL,
    run_dir text NOT NULL,
    status text NOT NULL,
    owner text,
    heartbeat timestamp with time zone,
    attempts integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    error text,
    test_accuracy double precision,
    test_loss double precision,
    start_val_accuracy double precision,
    best_val_accuracy double precision,
    best_val_epoch integer,
    lowest_train_loss double precision,
    lowest_train_loss_epoch integer,
    epochs_run integer,
    diverged_epoch integer,
    diverged_step integer,
    train_seconds double precision,
    seconds_per_epoch double precision,
    parameters bigint,
    class_names text,
    confusion text,
    CONSTRAINT trials_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'early-stopped'::text, 'diverged'::text, 'failed'::text])))
);


--
-- Name: trials_run_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.trials ALTER COLUMN run_id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.trials_run_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Data for Name: epochs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.epochs VALUES (1, 1, 2.218615846279187, 0.38333333333333336, 1.9914420015160483, 0.55, 0.05, 0.0873341);
INSERT INTO public.epochs VALUES (1, 2, 1.8519342046088878, 0.7, 1.6555597513564755, 0.8, 0.05, 0.0003761);
INSERT INTO public.epochs VALUES (1, 3, 1.5463602234977916, 0.9111111111111111, 1.3755562943848314, 1, 0.05, 0.0003057);
INSERT INTO public.epochs VALUES (2, 1, 2.218615846279187, 0.38333333333333336, 1.9914420015160483, 0.55, 0.05, 0.1646553);
INSERT INTO public.epochs VALUES (2, 2, 1.8519342046088878, 0.7, 1.6555597513564755, 0.8, 0.05, 0.0003629);
INSERT INTO public.epochs VALUES (2, 3, 1.5463602234977916, 0.9111111111111111, 1.3755562943848314, 1, 0.05, 0.000366);
INSERT INTO public.epochs VALUES (2, 4, 1.261569354319565, 1, 1.1252419460396887, 1, 0.05, 0.0004304);
INSERT INTO public.epochs VALUES (2, 5, 0.9946626454096505, 1, 0.8981716596424791, 1, 0.05, 0.0004127);
INSERT INTO public.epochs VALUES (2, 6, 0.7710074651403787, 1, 0.7073736449755008, 1, 0.05, 0.0003992);
INSERT INTO public.epochs VALUES (2, 7, 0.5949993546933092, 1, 0.5583651608626023, 1, 0.05, 0.0004422);
INSERT INTO public.epochs VALUES (2, 8, 0.4619939847448448, 1, 0.4379070295828981, 1, 0.05, 0.0004649);
INSERT INTO public.epochs VALUES (3, 9, 0.3580409992850316, 1, 0.34369481095507004, 1, 0.05, 0.056206);
INSERT INTO public.epochs VALUES (4, 1, 2.248239841045936, 0.31875, 2.045475483284336, 0.625, 0.05, 0.0941414);
INSERT INTO public.epochs VALUES (4, 2, 1.9432670748787058, 0.6375, 1.769156439827972, 0.775, 0.05, 0.0002978);
INSERT INTO public.epochs VALUES (4, 3, 1.6786058946396618, 0.8875, 1.51926355793582, 1, 0.05, 0.0003215);
INSERT INTO public.epochs VALUES (8, 1, 2.248239841045936, 0.31875, 2.045475483284336, 0.625, 0.05, 0.0010732);
INSERT INTO public.epochs VALUES (8, 2, 1.9432670748787058, 0.6375, 1.769156439827972, 0.775, 0.05, 0.000338);
INSERT INTO public.epochs VALUES (8, 3, 1.6786058946396618, 0.8875, 1.51926355793582, 1, 0.05, 0.0003025);
INSERT INTO public.epochs VALUES (8, 4, 1.440871261218233, 1, 1.2850548854392647, 1, 0.05, 0.0003113);
INSERT INTO public.epochs VALUES (8, 5, 1.2114273232491395, 1, 1.0636899816933032, 1, 0.05, 0.0003538);
INSERT INTO public.epochs VALUES (8, 6, 1.000897693918744, 1, 0.8658844556294494, 1, 0.05, 0.000317);
INSERT INTO public.epochs VALUES (8, 7, 0.8088062297547502, 1, 0.6990819371236396, 1, 0.05, 0.0003213);
INSERT INTO public.epochs VALUES (8, 8, 0.6521755997501257, 1, 0.5625014868050033, 1, 0.05, 0.0004188);
INSERT INTO public.epochs VALUES (8, 9, 0.5273180130638199, 1, 0.45223469283811796, 1, 0.05, 0.0004459);
INSERT INTO public.epochs VALUES (8, 10, 0.4242923792194911, 1, 0.36256581058448734, 1, 0.05, 0.0003676);
INSERT INTO public.epochs VALUES (8, 11, 0.3399188111791739, 1, 0.2904433632808775, 1, 0.05, 0.0003301);
INSERT INTO public.epochs VALUES (8, 12, 0.2706135210162409, 1, 0.23364790068276076, 1, 0.05, 0.0004454);


--
-- Data for Name: fcnlab_schema; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.fcnlab_schema VALUES (1);


--
-- Data for Name: misclassified; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.misclassified VALUES (1, 0, 8, 1);
INSERT INTO public.misclassified VALUES (1, 6, 1, 8);
INSERT INTO public.misclassified VALUES (1, 9, 8, 9);
INSERT INTO public.misclassified VALUES (1, 12, 5, 8);
INSERT INTO public.misclassified VALUES (1, 18, 0, 8);
INSERT INTO public.misclassified VALUES (1, 24, 6, 2);
INSERT INTO public.misclassified VALUES (1, 30, 7, 3);
INSERT INTO public.misclassified VALUES (1, 36, 5, 0);
INSERT INTO public.misclassified VALUES (1, 42, 4, 6);
INSERT INTO public.misclassified VALUES (1, 48, 7, 4);
INSERT INTO public.misclassified VALUES (3, 0, 8, 1);
INSERT INTO public.misclassified VALUES (3, 6, 1, 8);
INSERT INTO public.misclassified VALUES (3, 12, 5, 8);
INSERT INTO public.misclassified VALUES (3, 18, 0, 8);
INSERT INTO public.misclassified VALUES (3, 24, 6, 2);
INSERT INTO public.misclassified VALUES (3, 30, 7, 3);
INSERT INTO public.misclassified VALUES (3, 36, 5, 0);
INSERT INTO public.misclassified VALUES (3, 42, 4, 6);
INSERT INTO public.misclassified VALUES (3, 48, 7, 4);
INSERT INTO public.misclassified VALUES (4, 0, 8, 1);
INSERT INTO public.misclassified VALUES (4, 6, 1, 8);
INSERT INTO public.misclassified VALUES (4, 12, 5, 8);
INSERT INTO public.misclassified VALUES (4, 18, 0, 8);
INSERT INTO public.misclassified VALUES (4, 24, 6, 2);
INSERT INTO public.misclassified VALUES (4, 30, 7, 3);
INSERT INTO public.misclassified VALUES (4, 36, 5, 0);
INSERT INTO public.misclassified VALUES (4, 42, 4, 6);
INSERT INTO public.misclassified VALUES (4, 48, 7, 4);


--
-- Data for Name: sweeps; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sweeps VALUES ('fixture', 'name: fixture
description: "store fixture written by main be0ab45 (tests/FcnLab.Lab.Tests/Store/Fixtures/README.md)"
base: { data: /tmp/fcnlab-store-fixture/data, hidden: [16], batch_size: 32, optimizer: sgd, seed: 1 }
axes:
  epochs: [3, 100000]
  lr: [0.05, 1.0e6]
  val_split: [0.2, 500]
repeats: 1
', '2026-12-02 06:09:19.643065+00', '2026-12-02 06:09:19.643065+00');


--
-- Data for Name: trials; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (3, 'b38267246194', NULL, '[]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":9,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.1"}', '/tmp/fcnlab-store-fixture/postgres/train-b', 'completed', 'vm:11202', '2026-12-02 06:09:15.883322+00', 1, '2026-12-02 06:09:15.489608+00', '2026-12-02 06:09:15.489608+00', '2026-12-02 06:09:15.883322+00', NULL, 0.82, 0.9725988204578506, 0.55, 1, 3, 0.3580409992850316, 9, 9, NULL, NULL, 0.22373959999999998, 0.00042155000000000003, 1786, '["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle boot"]', '{"rows":10,"columns":10,"counts":[4,0,0,0,0,0,0,0,1,0,0,4,0,0,0,0,0,0,1,0,0,0,5,0,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,4,0,1,0,0,0,1,0,0,0,0,3,0,0,1,0,0,0,1,0,0,0,4,0,0,0,0,0,0,1,1,0,0,3,0,0,0,1,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,5]}');
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (1, '64e00bdfe18a', NULL, '[]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":3,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.1"}', '/tmp/fcnlab-store-fixture/postgres/train-a', 'completed', 'vm:11061', '2026-12-02 06:09:07.89188+00', 1, '2026-12-02 06:09:07.34637+00', '2026-12-02 06:09:07.34637+00', '2026-12-02 06:09:07.89188+00', NULL, 0.8, 1.601516690669431, 0.55, 1, 3, 1.5463602234977916, 3, 3, NULL, NULL, 0.08801590000000001, 0.0003409, 1786, '["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle boot"]', '{"rows":10,"columns":10,"counts":[4,0,0,0,0,0,0,0,1,0,0,4,0,0,0,0,0,0,1,0,0,0,5,0,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,4,0,1,0,0,0,1,0,0,0,0,3,0,0,1,0,0,0,1,0,0,0,4,0,0,0,0,0,0,1,1,0,0,3,0,0,0,1,0,0,0,0,0,0,3,1,0,0,0,0,0,0,0,0,0,5]}');
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (2, '3811111b27b2', NULL, '[]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":100000,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.1"}', '/tmp/fcnlab-store-fixture/postgres/train-b', 'failed', 'vm:11123', '2026-12-02 06:09:13.059825+00', 1, '2026-12-02 06:09:11.922719+00', '2026-12-02 06:09:11.922719+00', '2026-12-02 06:09:13.059825+00', 'interrupted (Ctrl-C); continue with: fcnlab train --resume /tmp/fcnlab-store-fixture/postgres/train-b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (5, 'c17efd1ed8c1', 'fixture', '[["epochs","3"],["lr","0.05"],["val-split","500"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":3,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"500"}', '/tmp/fcnlab-store-fixture/postgres/fixture/c17efd1ed8c1', 'failed', 'vm:11243', '2026-12-02 06:09:21.702435+00', 1, '2026-12-02 06:09:19.843574+00', '2026-12-02 06:09:21.693291+00', '2026-12-02 06:09:21.702435+00', '--val-split 500 holds out as many images as the training set has (200); the count must be below 200.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (6, 'f196848f14d8', 'fixture', '[["epochs","3"],["lr","1.0e6"],["val-split","0.2"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":3,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"1000000","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.2"}', '/tmp/fcnlab-store-fixture/postgres/fixture/f196848f14d8', 'diverged', 'vm:11243', '2026-12-02 06:09:21.782557+00', 1, '2026-12-02 06:09:19.850247+00', '2026-12-02 06:09:21.717924+00', '2026-12-02 06:09:21.782557+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, 1, 5, 0, 0, 1786, '["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle boot"]', NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (9, 'b8ae6cc73233', 'fixture', '[["epochs","100000"],["lr","0.05"],["val-split","500"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":100000,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"500"}', '/tmp/fcnlab-store-fixture/postgres/fixture/b8ae6cc73233', 'pending', NULL, NULL, 0, '2026-12-02 06:09:19.870257+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (10, '0993de694435', 'fixture', '[["epochs","100000"],["lr","1.0e6"],["val-split","0.2"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":100000,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"1000000","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.2"}', '/tmp/fcnlab-store-fixture/postgres/fixture/0993de694435', 'pending', NULL, NULL, 0, '2026-12-02 06:09:19.878917+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (11, 'a4ee7cb817c7', 'fixture', '[["epochs","100000"],["lr","1.0e6"],["val-split","500"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":100000,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"1000000","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"500"}', '/tmp/fcnlab-store-fixture/postgres/fixture/a4ee7cb817c7', 'pending', NULL, NULL, 0, '2026-12-02 06:09:19.879593+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (4, 'a092fb182e70', 'fixture', '[["epochs","3"],["lr","0.05"],["val-split","0.2"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":3,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.2"}', '/tmp/fcnlab-store-fixture/postgres/fixture/a092fb182e70', 'completed', 'vm:11243', '2026-12-02 06:09:21.404488+00', 1, '2026-12-02 06:09:19.823015+00', '2026-12-02 06:09:20.378392+00', '2026-12-02 06:09:21.404488+00', NULL, 0.82, 1.7288977224072501, 0.625, 1, 3, 1.6786058946396618, 3, 3, NULL, NULL, 0.0947607, 0.00030964999999999996, 1786, '["T-shirt/top","Trouser","Pullover","Dress","Coat","Sandal","Shirt","Sneaker","Bag","Ankle boot"]', '{"rows":10,"columns":10,"counts":[4,0,0,0,0,0,0,0,1,0,0,4,0,0,0,0,0,0,1,0,0,0,5,0,0,0,0,0,0,0,0,0,0,5,0,0,0,0,0,0,0,0,0,0,4,0,1,0,0,0,1,0,0,0,0,3,0,0,1,0,0,0,1,0,0,0,4,0,0,0,0,0,0,1,1,0,0,3,0,0,0,1,0,0,0,0,0,0,4,0,0,0,0,0,0,0,0,0,0,5]}');
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (7, '637cc02f53d6', 'fixture', '[["epochs","3"],["lr","1.0e6"],["val-split","500"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":3,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"1000000","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"500"}', '/tmp/fcnlab-store-fixture/postgres/fixture/637cc02f53d6', 'failed', 'vm:11243', '2026-12-02 06:09:21.809145+00', 1, '2026-12-02 06:09:19.858224+00', '2026-12-02 06:09:21.799515+00', '2026-12-02 06:09:21.809145+00', '--val-split 500 holds out as many images as the training set has (200); the count must be below 200.', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.trials OVERRIDING SYSTEM VALUE VALUES (8, '23a81d59bc0a', 'fixture', '[["epochs","100000"],["lr","0.05"],["val-split","0.2"]]', 0, 1, '{"Activation":"ReLU","BatchNorm":false,"BatchSize":32,"Classes":null,"ClipGradNorm":null,"DataDir":"/tmp/fcnlab-store-fixture/data","Dataset":"fashion-mnist","Dropout":"0","Epochs":100000,"Hidden":[16],"ImageShape":null,"Init":"Default","InitFrom":null,"InitStd":"1","L2":"0","LeakySlope":"0.01","Normalize":"Standardize","Optimizer":{"Alpha":"0.99","Beta1":"0.9","Beta2":"0.999","Eps":"1E-08","Kind":"Sgd","Lr":"0.05","Momentum":"0","Nesterov":false,"WeightDecay":"0"},"Patience":null,"RestoreBest":false,"Schedule":{"Factor":"0.1","Gamma":"0.1","Kind":"Constant","PlateauPatience":10,"StepSize":10},"Seed":1,"Shuffle":true,"Stratify":false,"ValSplit":"0.2"}', '/tmp/fcnlab-store-fixture/postgres/fixture/23a81d59bc0a', 'running', 'vm:11243', '2026-12-02 06:09:22.378712+00', 1, '2026-12-02 06:09:19.862199+00', '2026-12-02 06:09:21.834004+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Name: trials_run_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.trials_run_id_seq', 11, true);


--
-- Name: epochs epochs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.epochs
    ADD CONSTRAINT epochs_pkey PRIMARY KEY (run_id, epoch);


--
-- Name: misclassified misclassified_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.misclassified
    ADD CONSTRAINT misclassified_pkey PRIMARY KEY (run_id, test_index);


--
-- Name: sweeps sweeps_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sweeps
    ADD CONSTRAINT sweeps_pkey PRIMARY KEY (name);


--
-- Name: trials trials_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trials
    ADD CONSTRAINT trials_pkey PRIMARY KEY (run_id);


--
-- Name: trials trials_sweep_trial_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.trials
    ADD CONSTRAINT trials_sweep_trial_id_key UNIQUE (sweep, trial_id);


--
-- Name: trials_by_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX trials_by_status ON public.trials USING btree (sweep, status, run_id);


--
-- Name: trials_by_trial_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX trials_by_trial_id ON public.trials USING btree (trial_id text_pattern_ops);


--
-- Name: epochs epochs_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.epochs
    ADD CONSTRAINT epochs_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.trials(run_id) ON DELETE CASCADE;


--
-- Name: misclassified misclassified_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.misclassified
    ADD CONSTRAINT misclassified_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.trials(run_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict pEpbfELyN7EubHedjiorfLMgrWhTPTd8gFU35QayVJaj0hbWfdbDAK2MNouIeMN

